import { describe, expect, it } from 'vitest';
import { cloneUrlProblem } from '../../../src/core/clone-url.js';
import { branchNameProblem, isFullSha, refNameProblem } from '../../../src/core/ref-name.js';

describe('cloneUrlProblem', () => {
  it.each([
    'https://github.com/acme/discounts.git',
    'https://x-access-token@git.example.com:8443/acme/discounts',
    'ssh://git@git.example.com:2222/acme/discounts.git',
    'git@github.com:acme/discounts.git',
    'github.com:acme/discounts.git',
    'file:///srv/git/discounts.git',
    'http://127.0.0.1:8080/acme/discounts.git',
    'http://localhost/acme/discounts.git',
    'http://[::1]:9000/discounts.git',
  ])('takes %s', (url) => {
    expect(cloneUrlProblem(url)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['--upload-pack=touch /tmp/pwned', /whitespace/],
    ['--upload-pack=touch${IFS}/tmp/pwned', /starts with "-"/],
    ['-oProxyCommand=sh', /starts with "-"/],
    ['ext::sh -c touch% /tmp/pwned', /whitespace|helper/],
    ['ext::sh', /helper/],
    ['fd::17', /helper/],
    ['https::github.com/acme/x', /helper/],
    ['ssh://-oProxyCommand=touch/x', /starting with "-"/],
    ['git@-oProxyCommand=x:acme/x', /starting with "-"/],
    ['git@host:-upload-pack', /starting with "-"/],
    ['https://github.com/acme/x.git\nfoo', /whitespace or control/],
    ['https://github.com/acme/x.git\u0000', /control/],
    ['http://git.example.com/acme/x.git', /plain http/],
    ['http://10.0.0.1/acme/x.git', /plain http/],
    ['git://github.com/acme/x.git', /git:\/\/ transport/],
    ['ftp://example.com/x.git', /ftp:\/\/ transport/],
    ['/srv/git/discounts.git', /neither a URL/],
    ['discounts.git', /neither a URL/],
  ])('refuses %j', (url, problem) => {
    expect(cloneUrlProblem(url)).toMatch(problem);
  });
});

describe('refNameProblem and branchNameProblem (git check-ref-format)', () => {
  it.each(['main', 'dev/feature-login', 'release/1.2.3', 'hotfix/ä-umlaut', 'a@b', 'x_y+z'])('takes the branch %s', (branch) => {
    expect(branchNameProblem(branch)).toBeUndefined();
  });

  it.each([
    ['--upload-pack=x', /starts with "-"/],
    ['-x', /starts with "-"/],
    ['a b', /space/],
    ['a\tb', /control/],
    ['a~1', /~/],
    ['a^', /\^/],
    ['a:b', /:/],
    ['a?', /\?/],
    ['a*', /\*/],
    ['a[b', /\[/],
    ['a\\b', /\\/],
    ['a..b', /\.\./],
    ['a@{1}', /@\{/],
    ['a/', /ends with "\/"/],
    ['a//b', /\/\//],
    ['a.', /ends with "\."/],
    ['.hidden', /starting with "\."/],
    ['dev/.x', /starting with "\."/],
    ['x.lock', /\.lock/],
    ['', /ends with "\/"/],
  ])('refuses the branch %j', (branch, problem) => {
    expect(branchNameProblem(branch)).toMatch(problem);
  });

  it('refuses a ref longer than 1024 characters', () => {
    expect(refNameProblem(`refs/heads/${'a'.repeat(1024)}`)).toMatch(/longer/);
  });

  it.each([
    ['a'.repeat(40), true],
    ['0123456789abcdef0123456789abcdef01234567', true],
    ['A'.repeat(40), false],
    ['a'.repeat(39), false],
    [`--${'a'.repeat(38)}`, false],
  ])('isFullSha(%s) is %s', (text, expected) => {
    expect(isFullSha(text)).toBe(expected);
  });
});
