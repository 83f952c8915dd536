import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hostReleases } from '../../src/adapters/git/host-releases.js';
import type { GitHost } from '../../src/core/git-hosts.js';
import type { HostReleases } from '../../src/core/ports.js';
import { FakeGitea } from '../fakes/fake-gitea.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { FakeGitLab } from '../fakes/fake-gitlab.js';
import type { FakeRepos } from '../fakes/fake-repos.js';

const TOKEN = 'host-release-token';
const SHA = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);
const github = new FakeGitHub(TOKEN);
const gitea = new FakeGitea(TOKEN);
const gitlab = new FakeGitLab(TOKEN);

beforeAll(async () => {
  await github.start(26020);
  await gitea.start(26021);
  await gitlab.start(26022);
});
afterAll(async () => {
  await Promise.all([github.stop(), gitea.stop(), gitlab.stop()]);
});

const hosts: { host: GitHost; repos: () => FakeRepos; problems: () => string[]; api: (token: string) => HostReleases; releasePage: string; commitUrl: string }[] = [
  {
    host: 'github',
    repos: () => github.repos,
    problems: () => [...github.problems, ...github.repos.problems],
    api: (token) => hostReleases({ github: { token, apiUrl: github.url } }),
    releasePage: 'https://github.example/acme/shop/releases/tag/v1.2.0',
    commitUrl: `http://127.0.0.1:26020/acme/shop/commit/${SHA}`,
  },
  {
    host: 'gitea',
    repos: () => gitea.repos,
    problems: () => gitea.repos.problems,
    api: (token) => hostReleases({ gitea: { token, apiUrl: gitea.apiUrl } }),
    releasePage: 'https://gitea.example/acme/shop/releases/tag/v1.2.0',
    commitUrl: `http://127.0.0.1:26021/acme/shop/commit/${SHA}`,
  },
  {
    host: 'gitlab',
    repos: () => gitlab.repos,
    problems: () => gitlab.repos.problems,
    api: (token) => hostReleases({ gitlab: { token, apiUrl: gitlab.apiUrl } }),
    releasePage: 'https://gitlab.example/acme/shop/-/releases/v1.2.0',
    commitUrl: `http://127.0.0.1:26022/acme/shop/-/commit/${SHA}`,
  },
];

describe.each(hosts)('$host tags and releases', ({ host, repos, problems, api, releasePage, commitUrl }) => {
  const repo = { host, fullName: 'acme/shop' };
  const request = { repo, tag: 'v1.2.0', sha: SHA, message: 'shop 1.2.0' };
  beforeAll(() => repos().add('acme/shop'));
  afterEach(() => {
    // Every call had what the real API requires: nothing was refused for a missing field or a wrong path.
    expect(problems()).toEqual([]);
  });

  it('tags the commit, and a second attempt for the same commit finds it done', async () => {
    expect(await api(TOKEN).tag(request)).toBe('created');
    expect(repos().tagOf('acme/shop', 'v1.2.0')).toBe(SHA);
    expect(await api(TOKEN).tag(request)).toBe('existed');
  });

  it('refuses to move a tag that is on another commit', async () => {
    await expect(api(TOKEN).tag({ ...request, sha: OTHER })).rejects.toThrow(`acme/shop has tag v1.2.0 on aaaaaaa already, not on bbbbbbb`);
    expect(repos().tagOf('acme/shop', 'v1.2.0')).toBe(SHA);
  });

  it('makes the release with the notes, once: a second attempt answers the same page', async () => {
    const made = await api(TOKEN).release({ ...request, name: 'shop 1.2.0', notes: '### Features\n\n- coupons' });
    expect(made).toEqual({ result: 'created', url: releasePage });
    expect(repos().releaseOf('acme/shop', 'v1.2.0')).toMatchObject({ name: 'shop 1.2.0', notes: '### Features\n\n- coupons' });
    expect(await api(TOKEN).release({ ...request, name: 'shop 1.2.0', notes: 'again' })).toEqual({ result: 'existed', url: releasePage });
    expect(repos().releaseOf('acme/shop', 'v1.2.0')?.notes).toBe('### Features\n\n- coupons');
  });

  it('says what is wrong with an unknown repository and a refused token', async () => {
    await expect(api(TOKEN).tag({ ...request, repo: { host, fullName: 'acme/nothing' } })).rejects.toThrow(/does not know acme\/nothing, or the token may not see it \(404\)/);
    await expect(api('wrong-token').release({ ...request, name: 'x', notes: 'y' })).rejects.toThrow(/refused the token \(401\)/);
    // The fake GitHub notes every refused token; this one was refused on purpose.
    const refused = github.problems.indexOf('bad authorization "token wrong-token"');
    if (host === 'github') github.problems.splice(refused, 1);
  });

  it('links commits on the host, and knows only the hosts it has a token for', () => {
    expect(api(TOKEN).commitUrl(repo, SHA)).toBe(commitUrl);
    expect(api(TOKEN).has(host)).toBe(true);
    expect(api(TOKEN).has(host === 'github' ? 'gitea' : 'github')).toBe(false);
    expect(api(TOKEN).has('gogs')).toBe(false);
  });
});
