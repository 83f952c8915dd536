import { describe, expect, it } from 'vitest';
import { configuredCloneUrl, findServicesForRepo, repoKey, repoMismatch } from '../../../src/core/repo-match.js';
import { parseConfig } from '../../../src/config.js';
import { serviceList } from '../../../src/core/config-schema.js';

describe('repoKey', () => {
  it.each([
    ['https://git.example.com/acme/discounts.git', 'git.example.com/acme/discounts'],
    ['https://token:x@Git.Example.com/acme/discounts/', 'git.example.com/acme/discounts'],
    ['git@git.example.com:acme/discounts.git', 'git.example.com/acme/discounts'],
    ['ssh://git@git.example.com:2222/acme/discounts.git', 'git.example.com/acme/discounts'],
    ['http://git.example.com/acme/discounts', 'git.example.com/acme/discounts'],
    ['file:///srv/git/discounts.git', 'file/srv/git/discounts'],
    ['acme/discounts', 'acme/discounts'],
  ])('%s → %s', (url, key) => {
    expect(repoKey(url)).toBe(key);
  });
});

describe('findServicesForRepo', () => {
  const services = serviceList(parseConfig(`
services:
  by-url: { repo: "https://git.example.com/acme/discounts.git", image: r/a, channel: "#a", environments: [{ name: staging, port: 1 }] }
  by-name: { repo: Acme/Payments, image: r/b, channel: "#b", environments: [{ name: staging, port: 2 }] }
`));

  it.each([
    [{ fullName: 'acme/discounts', urls: ['git@git.example.com:acme/discounts.git'] }, 'by-url'],
    [{ fullName: 'acme/payments', urls: ['https://github.com/acme/payments.git'] }, 'by-name'],
    [{ fullName: 'acme/discounts', urls: ['https://other.example.com/acme/discounts.git'] }, undefined],
    [{ fullName: 'acme/other', urls: ['https://github.com/acme/other.git'] }, undefined],
  ])('%j → %s', (repo, expected) => {
    expect(findServicesForRepo(services, repo)[0]?.name).toBe(expected);
  });
});

describe('configuredCloneUrl: the clone source comes from config alone', () => {
  it.each([
    [{ repo: 'acme/x', cloneUrl: 'file:///srv/x.git' }, 'github', 'file:///srv/x.git'],
    [{ repo: 'https://git.example.com/acme/x.git' }, 'gitea', 'https://git.example.com/acme/x.git'],
    [{ repo: 'git@git.example.com:acme/x.git' }, undefined, 'git@git.example.com:acme/x.git'],
    [{ repo: 'acme/x' }, 'github', 'https://github.com/acme/x.git'],
    [{ repo: 'acme/x' }, 'gitea', undefined],
    [{ repo: 'acme/x' }, 'gitlab', undefined],
    [{ repo: 'acme/x' }, undefined, undefined],
  ] as const)('%j from %s → %s', (service, host, expected) => {
    expect(configuredCloneUrl(service, host)).toBe(expected);
  });
});

describe('repoMismatch: a payload must name the configured repository in every field', () => {
  const byUrl = { name: 'discounts', repo: 'https://git.example.com/acme/discounts.git' };
  const byName = { name: 'payments', repo: 'acme/payments' };
  const local = { name: 'sample', repo: 'file:///srv/git/sample.git' };
  it.each([
    [byUrl, { fullName: 'acme/discounts', urls: ['https://git.example.com/acme/discounts.git', 'git@git.example.com:acme/discounts.git'] }, 'gitea', undefined],
    [byUrl, { fullName: 'acme/discounts', urls: ['file:///tmp/evil.git', 'https://git.example.com/acme/discounts'] }, 'gitea', /clone URL is file:\/\/\/tmp\/evil.git, but discounts is built from https:\/\/git.example.com\/acme\/discounts.git/],
    [byUrl, { fullName: 'mallory/discounts', urls: ['https://git.example.com/acme/discounts.git'] }, 'gitea', /repository is mallory\/discounts/],
    [byName, { fullName: 'acme/payments', urls: ['https://github.com/acme/payments.git'] }, 'github', undefined],
    [byName, { fullName: 'Acme/Payments', urls: ['https://GitHub.com/Acme/Payments.git'] }, 'github', undefined],
    [byName, { fullName: 'acme/payments', urls: ['https://evil.example.com/acme/payments.git'] }, 'github', /clone URL is https:\/\/evil.example.com\/acme\/payments.git, but payments is built from https:\/\/github.com\/acme\/payments/],
    [byName, { fullName: 'acme/payments', urls: ['file:///tmp/other.git'] }, 'github', /clone URL is file:\/\/\/tmp\/other.git/],
    [{ ...byName, cloneUrl: 'file:///mirror/payments.git' }, { fullName: 'acme/payments', urls: ['https://gitea.example.com/acme/payments.git'] }, 'gitea', undefined],
    [{ ...byName, cloneUrl: 'file:///mirror/payments.git' }, { fullName: 'acme/payments', urls: ['https://gitea.example.com/mallory/other.git'] }, 'gitea', /clone URL is/],
    [local, { fullName: 'acme/sample', urls: ['file:///srv/git/sample.git'] }, 'gogs', undefined],
    [local, { fullName: 'acme/sample', urls: ['file:///srv/git/other.git'] }, 'gogs', /clone URL is file:\/\/\/srv\/git\/other.git/],
  ] as const)('%j ← %j (%s)', (service, repo, host, expected) => {
    const problem = repoMismatch(service, repo, host);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });
});
