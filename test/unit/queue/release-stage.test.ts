import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';
import { serviceList } from '../../../src/core/config-schema.js';
import type { HostReleases, ImageTagger, ReleaseStepResult } from '../../../src/core/ports.js';
import type { ReleaseCommit } from '../../../src/core/releases/versioning.js';
import { newRun, type Run } from '../../../src/core/run.js';
import { releaseStage } from '../../../src/queue/stages/release-stage.js';
import type { StageContext } from '../../../src/queue/stages/stage-context.js';
import { memoryPorts } from '../../memory/memory-ports.js';

const NOW = new Date('2026-12-02T10:00:00Z');
const sha = (c: string) => c.repeat(40);
const [SHOP] = serviceList(parseConfig(`
services:
  shop:
    repo: acme/shop
    image: 127.0.0.1:5000/shop
    channel: "#shop"
    approvers: { users: [U1] }
    releases: { versioning: semver }
    environments:
      - { name: staging, port: 8080 }
      - { name: production, port: 8081, requireApproval: true }
`));

/** The repository's history, newest first. */
const HISTORY: ReleaseCommit[] = [
  { sha: sha('c'), message: 'fix: round totals', author: { name: 'Bob' } },
  { sha: sha('b'), message: 'feat: coupons', author: { name: 'Ann' } },
  { sha: sha('a'), message: 'Initial commit', author: { name: 'Ann' } },
];

/** A host with a token, keeping tags and releases as the APIs do; `failNext` makes its next call of a kind fail. */
function fakeHost() {
  const tags = new Map<string, string>();
  const releases = new Map<string, string>();
  const failing = new Set<string>();
  const calls: string[] = [];
  const hosts: HostReleases = {
    has: (host) => host === 'github',
    async tag({ tag, sha: at }): Promise<ReleaseStepResult> {
      calls.push(`tag ${tag}`);
      if (failing.delete('tag')) throw new Error('GitHub answered 502');
      if (tags.get(tag) === at) return 'existed';
      tags.set(tag, at);
      return 'created';
    },
    async release({ tag, notes }) {
      calls.push(`release ${tag}`);
      if (releases.has(tag)) return { result: 'existed', url: `https://github.com/acme/shop/releases/tag/${tag}` };
      releases.set(tag, notes);
      return { result: 'created', url: `https://github.com/acme/shop/releases/tag/${tag}` };
    },
    commitUrl: (repo, at) => `https://github.com/${repo.fullName}/commit/${at}`,
  };
  return { hosts, tags, releases, calls, failNext: (what: string) => failing.add(what) };
}

function setup(source: Run['source'] = { host: 'github', fullName: 'acme/shop' }) {
  const ports = memoryPorts({ now: () => NOW.getTime() });
  const host = fakeHost();
  const imageTags = new Map<string, string>();
  const pushed: string[] = [];
  const logged: string[] = [];
  let gitFails = false;
  const images: ImageTagger = {
    async tag(_image, digest, tag) {
      if (imageTags.get(tag) === digest) return 'existed';
      imageTags.set(tag, digest);
      return 'created';
    },
  };
  const context = (run: Run): StageContext => ({
    ...ports,
    images: {} as StageContext['images'],
    targets: () => {
      throw new Error('no deploy here');
    },
    secrets: async () => ({ ok: true, values: {} }),
    synthetics: {},
    signingKey: Buffer.alloc(32),
    releasing: { hosts: host.hosts, images },
    run,
    service: SHOP!,
    stage: 'release:production',
    sourceDir: async () => '/nowhere',
    commitsBehind: async () => 0,
    isAncestorOf: async () => true,
    async commitsSince(from, limit) {
      if (gitFails) throw new Error('fatal: could not read from remote repository');
      const end = from ? HISTORY.findIndex((c) => c.sha === from) : HISTORY.length;
      return HISTORY.slice(HISTORY.findIndex((c) => c.sha === run.sha), end).slice(0, limit);
    },
    async pushTag(tag) {
      pushed.push(tag);
      return 'created';
    },
    log: async (...lines) => void logged.push(...lines),
    now: () => NOW,
  });
  const runAt = (at: string, id: string): Run => ({
    ...newRun(
      {
        id,
        service: 'shop',
        trigger: 'push',
        branch: 'main',
        sha: at,
        author: { name: 'Ann' },
        triggeredBy: { name: 'Ann' },
        commits: [{ sha: at, message: 'fix: round totals', author: { name: 'Bob' } }],
        cloneUrl: 'https://github.com/acme/shop.git',
        source,
        target: { environment: 'staging', ephemeral: false },
        stages: ['release:production'],
      },
      NOW,
    ),
    release: { image: '127.0.0.1:5000/shop', tag: `main-${at.slice(0, 7)}`, digest: `sha256:${at}`, reused: false },
  });
  return { ports, host, imageTags, pushed, logged, context, runAt, breakGit: () => (gitFails = true) };
}

describe('the release stage', () => {
  it('makes the first version from the whole history, tags commit and image, and makes the host release with the notes', async () => {
    const s = setup();
    const outcome = await releaseStage(s.context(s.runAt(sha('c'), 'run-1')));

    expect(outcome).toMatchObject({ status: 'passed', summary: 'v0.1.0' });
    const version = outcome.status === 'passed' ? outcome.patch?.version : undefined;
    expect(version).toMatchObject({ version: '0.1.0', tag: 'v0.1.0', environment: 'production', total: 3, url: 'https://github.com/acme/shop/releases/tag/v0.1.0' });
    expect(version?.commits?.[0]).toEqual({ sha: sha('c'), subject: 'round totals', kind: 'fix', author: 'Bob', url: `https://github.com/acme/shop/commit/${sha('c')}` });
    expect(s.host.tags.get('v0.1.0')).toBe(sha('c'));
    expect(s.imageTags.get('v0.1.0')).toBe(`sha256:${sha('c')}`);
    expect(s.host.releases.get('v0.1.0')).toContain('### Features');
    expect(s.pushed).toEqual([]);
    expect(await s.ports.versions.list('shop')).toHaveLength(1);
  });

  it('a retried job makes no second version: the same one, every step found done', async () => {
    const s = setup();
    await releaseStage(s.context(s.runAt(sha('c'), 'run-1')));

    const again = await releaseStage(s.context(s.runAt(sha('c'), 'run-1')));

    expect(again).toMatchObject({ status: 'passed', summary: 'v0.1.0' });
    const version = again.status === 'passed' ? again.patch?.version : undefined;
    expect(version?.done).toEqual([
      `v0.1.0 on ccccccc in the repository (github API, there already)`,
      `image 127.0.0.1:5000/shop:v0.1.0 (same digest, there already)`,
      'github release v0.1.0 (there already)',
    ]);
    expect((await s.ports.versions.list('shop')).map((v) => v.version)).toEqual(['0.1.0']);
  });

  it('counts the commits since the last version only, by their kinds', async () => {
    const s = setup();
    await releaseStage(s.context(s.runAt(sha('b'), 'run-1')));
    const next = await releaseStage(s.context(s.runAt(sha('c'), 'run-2')));
    const version = next.status === 'passed' ? next.patch?.version : undefined;
    expect(version).toMatchObject({ version: '0.1.1', previousTag: 'v0.1.0', total: 1 });
  });

  it('a failed step does not fail the stage: it is said with how to redo it, and the redo makes the same version', async () => {
    const s = setup();
    s.host.failNext('tag');

    const failed = await releaseStage(s.context(s.runAt(sha('c'), 'run-1')));

    expect(failed).toMatchObject({ status: 'passed', summary: 'v0.1.0: 1 step(s) failed, see the thread' });
    const problems = failed.status === 'passed' ? failed.patch?.version?.problems : undefined;
    expect(problems).toEqual([
      'tagging ccccccc as v0.1.0 in the repository failed: GitHub answered 502',
      'to redo what failed: /slipway release shop (nothing done is done twice)',
    ]);
    const redone = await releaseStage(s.context(s.runAt(sha('c'), 'run-2')));
    expect(redone).toMatchObject({ status: 'passed', summary: 'v0.1.0' });
    expect(s.host.tags.get('v0.1.0')).toBe(sha('c'));
    expect(await s.ports.versions.list('shop')).toHaveLength(1);
  });

  it('without a token for the host: the tag is pushed with git, no host release, and the thread says so', async () => {
    const s = setup({ host: 'gitea', fullName: 'acme/shop' });
    const outcome = await releaseStage(s.context(s.runAt(sha('c'), 'run-1')));
    expect(s.pushed).toEqual(['v0.1.0']);
    expect(s.host.calls).toEqual([]);
    const version = outcome.status === 'passed' ? outcome.patch?.version : undefined;
    expect(version?.done).toContain('no host release: slipway has no API token for gitea (GITHUB_TOKEN, GITEA_TOKEN or GITLAB_TOKEN)');
  });

  it('when git cannot give the history, the notes list the run\'s own commits and say so', async () => {
    const s = setup();
    s.breakGit();
    const outcome = await releaseStage(s.context(s.runAt(sha('c'), 'run-1')));
    const version = outcome.status === 'passed' ? outcome.patch?.version : undefined;
    expect(version).toMatchObject({ version: '0.1.0', total: 1 });
    expect(version?.problems?.[0]).toBe('reading the commits since the start from git failed (fatal: could not read from remote repository): the notes list this run\'s pushed commits only');
  });
});
