import { describe, expect, it } from 'vitest';
import { APPROVER, CONFIG, commandHarness, DEVELOPER, digest, sha } from './command-harness.js';

const WITH_RELEASES = `${CONFIG}    releases: { versioning: semver }\n`;

describe('/slipway release', () => {
  it('starts a run with the one stage release:production, for what production runs, carrying its release and source', async () => {
    const h = commandHarness(WITH_RELEASES);
    const built = await h.storedRun({ id: 'shop-build', sha: sha('c'), source: { host: 'github', fullName: 'acme/shop' }, commits: [{ sha: sha('c'), message: 'feat: x', author: { name: 'Dev' } }] });
    await h.deployed('production', 'c', built.id, '2026-11-30T10:00:00Z');

    const reply = await h.invoke('/slipway', 'release', APPROVER);

    expect(reply).toEqual({ text: 'Making the version of `main-ccccccc` (shop production) as run `shop-run1`.', visibility: 'in_channel' });
    const run = await h.ports.runs.get('shop-run1');
    expect(run).toMatchObject({
      trigger: 'deploy',
      sha: sha('c'),
      source: { host: 'github', fullName: 'acme/shop' },
      commits: built.commits,
      target: { environment: 'production', ephemeral: false },
      stages: [{ name: 'release:production', status: 'pending' }],
      release: { tag: 'main-ccccccc', digest: digest('c'), reused: true },
    });
    expect(h.ports.queue.jobs).toEqual(['shop-run1']);
    // Asked again at once: pointed at the run already making it.
    expect((await h.invoke('/slipway', 'release shop', APPROVER)).text).toBe('The version of `main-ccccccc` is being made by run `shop-run1`.');
  });

  it.each([
    [CONFIG, APPROVER, 'shop makes no versions: add releases: to it in slipway.yml.'],
    [WITH_RELEASES, DEVELOPER, 'Only an approver of production can redo a version.'],
    [WITH_RELEASES, APPROVER, 'Nothing runs in shop production yet.'],
  ])('refuses, saying why (%#)', async (config, user, text) => {
    const h = commandHarness(config);
    expect(await h.invoke('/slipway', 'release', user)).toEqual({ text, visibility: 'ephemeral' });
  });
});

describe('/rollback with versions', () => {
  it('names the versions of both releases, and takes a version for what to go back to', async () => {
    const h = commandHarness(WITH_RELEASES);
    await h.deployed('production', 'a', 'shop-a', '2026-11-28T10:00:00Z');
    await h.deployed('production', 'b', 'shop-b', '2026-11-29T10:00:00Z');
    await h.deployed('production', 'c', 'shop-c', '2026-11-30T10:00:00Z');
    for (const [c, version] of [['a', '0.1.0'], ['b', '0.2.0'], ['c', '0.3.0']] as const) {
      await h.ports.versions.claim({ service: 'shop', version, tag: `v${version}`, sha: sha(c), digest: digest(c), runId: `shop-${c}`, at: '2026-11-30T10:00:00Z' });
    }

    expect((await h.invoke('/rollback', '', APPROVER)).text).toMatch(/^Roll \*shop\* production back from `main-ccccccc` \(`v0.3.0`\) to `main-bbbbbbb` \(`v0.2.0`\) \(`bbbbbbb`/);
    expect((await h.invoke('/rollback', 'to v0.1.0', APPROVER)).text).toMatch(/ to `main-aaaaaaa` \(`v0.1.0`\) /);
    expect((await h.invoke('/rollback', 'to v9.9.9', APPROVER)).text).toContain('no earlier successful deployment matches "v9.9.9"');
  });
});

describe('/slipway status and history with versions', () => {
  it('show the version of what runs where', async () => {
    const h = commandHarness(WITH_RELEASES);
    await h.deployed('staging', 'd', 'shop-d', '2026-11-30T11:00:00Z');
    await h.deployed('production', 'c', 'shop-c', '2026-11-30T10:00:00Z');
    await h.ports.versions.claim({ service: 'shop', version: '0.3.0', tag: 'v0.3.0', sha: sha('c'), digest: digest('c'), runId: 'shop-c', at: '2026-11-30T10:00:00Z' });

    const status = JSON.stringify((await h.invoke('/slipway', 'status', APPROVER)).blocks);
    expect(status).toContain('*production*: `main-ccccccc` :label: `v0.3.0` `ccccccc`');
    expect(status).toContain('*staging*: `main-ddddddd` `ddddddd`');
    const history = JSON.stringify((await h.invoke('/slipway', 'history production', APPROVER)).blocks);
    expect(history).toContain('production `main-ccccccc` :label: `v0.3.0` — succeeded');
  });
});
