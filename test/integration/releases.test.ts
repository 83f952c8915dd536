import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { registryAuth, registryCredentials } from '../../src/adapters/docker/registry-auth.js';
import { registryImageTagger } from '../../src/adapters/docker/registry-tag.js';
import { RedisVersionStore } from '../../src/adapters/store/redis-version-store.js';
import type { Run } from '../../src/core/run.js';
import { served, until } from '../helpers/run-watch.js';
import { sampleConfig, TEST_REGISTRY } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

const run = promisify(execFile);
const [STAGING, PRODUCTION] = [26010, 26011];
const BOB = 'U0BOB';
// The registry outlives a test run, and a version tag is never moved to another digest: a name of this run's own.
const IMAGE = `slipway-e2e-releases-${Date.now().toString(36)}`;

const stack = useSlackStack({
  config: (repoUrl) =>
    sampleConfig({
      // A name of its own: containers are named by service and environment, and files run side by side.
      service: 'shelf',
      repoUrl,
      image: IMAGE,
      channels: ['#deploys', '#sample'],
      approvers: { users: [BOB] },
      staging: STAGING,
      production: PRODUCTION,
      releases: { versioning: 'semver' },
    }),
});

/** The tags of the bare repository, as `git ls-remote --tags` lists them: tag → sha. */
async function remoteTags(): Promise<Record<string, string>> {
  const { stdout } = await run('git', ['ls-remote', '--tags', join(stack.repo.dir, 'sample.git')]);
  return Object.fromEntries(stdout.trim().split('\n').filter(Boolean).map((line) => line.split(/\s+/).reverse() as [string, string]).map(([ref, sha]) => [ref.replace('refs/tags/', ''), sha]));
}

/** The digest the registry answers for a tag of the image, with the test registry's credentials. */
async function registryDigest(tag: string): Promise<string | null> {
  const auth = await registryAuth(TEST_REGISTRY);
  const headers: Record<string, string> = { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' };
  if (auth.username) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const res = await fetch(`http://${TEST_REGISTRY}/v2/${IMAGE}/manifests/${tag}`, { method: 'HEAD', headers });
  return res.ok ? res.headers.get('docker-content-digest') : null;
}

const command = (name: string, text: string, userId = BOB) => stack.users.command(name, text, userId);
const approve = async (runId: string) => stack.users.click('approve_promotion', await stack.watch.approveValue(runId, 'production'), BOB);
const versions = () => new RedisVersionStore(stack.slipway.redis);

async function push(files: Record<string, string>, message: string): Promise<string> {
  await stack.repo.commit(files, message);
  const { runId } = await stack.repo.push('main');
  if (!runId) throw new Error('the push started no run');
  return runId;
}

/** The version's thread reply of a run, once posted. */
const versionReply = (runId: string, tag: string) =>
  until(
    async () => {
      const post = stack.watch.topLevelPosts(runId)[0];
      const ts = post && stack.slack.answerTs(post);
      return stack.slack.callsOf('chat.postMessage').find((c) => ts && c.args.thread_ts === ts && String(c.args.text).startsWith(`shelf ${tag}`));
    },
    `the thread reply of ${tag} for ${runId}`,
  );

async function promote(runId: string): Promise<Run> {
  await stack.watch.settled(runId, { status: 'waiting' });
  await approve(runId);
  return stack.watch.settled(runId, { status: 'passed' });
}

describe('a version when production changes', { timeout: 240_000 }, () => {
  let firstSha: string;

  it('the first promotion to production makes 0.1.0: the commit tagged in the repository, the image in the registry, the notes in the thread', async () => {
    const runId = await push({ 'www/version': 'r1\n' }, 'feat: serve a version page');
    firstSha = await stack.repo.head();
    // Staging is not the release environment: nothing is tagged before production.
    await stack.watch.settled(runId, { status: 'waiting' });
    expect(await remoteTags()).toEqual({});

    const passed = await promote(runId);

    expect(passed.stages.map((s) => s.name)).toEqual(['checkout', 'build', 'push', 'deploy:staging', 'approval:production', 'deploy:production', 'release:production']);
    expect(passed.stages.at(-1)).toMatchObject({ status: 'passed', summary: 'v0.1.0' });
    expect(await served(PRODUCTION)).toBe('r1');
    expect(await remoteTags()).toEqual({ 'v0.1.0': firstSha });
    expect(await registryDigest('v0.1.0')).toBe(passed.release?.digest);
    expect(passed.version).toMatchObject({ version: '0.1.0', tag: 'v0.1.0', environment: 'production', total: 2 });
    expect(passed.version?.problems).toBeUndefined();

    const reply = await versionReply(runId, 'v0.1.0');
    const blocks = String(reply.args.blocks);
    expect(blocks).toContain('`v0.1.0` is in *production*: 2 commit(s) (the first)');
    expect(blocks).toContain('*Features*');
    expect(blocks).toContain('serve a version page');
    expect(blocks).toContain('Ann Example');
    // A Gogs repository: slipway has no API to make a release there, and says so.
    expect(blocks).toContain('no host release: Gogs has no releases API slipway uses');
  });

  it('the next version counts every commit since the last one, across pushes: a feat and a fix make 0.2.0', async () => {
    const older = await push({ 'www/version': 'r2\n' }, 'fix: round the totals');
    await stack.watch.settled(older, { status: 'waiting' });
    // A second push supersedes the first at the gate: its run knows only its own commit.
    const newer = await push({ 'www/version': 'r3\n', 'www/coupons': 'on\n' }, 'feat(cart): coupons');
    const sha = await stack.repo.head();

    const passed = await promote(newer);

    expect(passed.commits.map((c) => c.message)).toEqual(['feat(cart): coupons']);
    expect(passed.version).toMatchObject({ version: '0.2.0', tag: 'v0.2.0', previousTag: 'v0.1.0', total: 2 });
    expect(passed.version?.commits?.map((c) => [c.kind, c.subject])).toEqual([['feature', 'coupons'], ['fix', 'round the totals']]);
    expect(await remoteTags()).toEqual({ 'v0.1.0': firstSha, 'v0.2.0': sha });
    expect(await registryDigest('v0.2.0')).toBe(passed.release?.digest);
    const blocks = String((await versionReply(newer, 'v0.2.0')).args.blocks);
    expect(blocks).toContain('since `v0.1.0`');
    expect(blocks.indexOf('*Features*')).toBeLessThan(blocks.indexOf('*Fixes*'));

    const history = JSON.stringify((await command('/slipway', 'history shelf production')).json?.blocks);
    expect(history).toContain(':label: `v0.2.0`');
    expect(history).toContain(':label: `v0.1.0`');
  });

  it('a rollback makes no version and says which one production runs again; /slipway release makes nothing twice', async () => {
    const asked = await command('/rollback', 'production');
    expect(asked.json?.text).toMatch(/^Roll \*shelf\* production back from `main-[0-9a-f]{7}` \(`v0.2.0`\) to `main-[0-9a-f]{7}` \(`v0.1.0`\)/);
    const button = (asked.json?.blocks as { elements: { action_id: string; value: string }[] }[])[1]!.elements[0]!;
    await stack.users.click(button.action_id, button.value, BOB);
    const told = await until(async () => stack.slack.callsOf('response_url').at(-1)?.args.text as string | undefined, 'the rollback answer');
    const rollbackRun = /as run (\S+)\. /.exec(told)?.[1];
    const rolledBack = await stack.watch.settled(rollbackRun!);

    expect(rolledBack.status).toBe('passed');
    expect(rolledBack.version).toEqual({ version: '0.1.0', tag: 'v0.1.0', environment: 'production', again: true });
    expect(rolledBack.stages[0]?.summary).toContain('v0.1.0 again');
    const again = await until(async () => stack.slack.callsOf('chat.postMessage').find((c) => String(c.args.text) === 'shelf production runs v0.1.0 again'), 'the rollback\'s version reply');
    expect(String(again.args.blocks)).toContain('a rollback makes no new version');
    expect(await served(PRODUCTION)).toBe('r1');
    expect((await versions().list('shelf')).map((v) => v.tag)).toEqual(['v0.2.0', 'v0.1.0']);

    // Redone by hand (as a failed step's message says): the same version, every step found done.
    const redo = await command('/slipway', 'release shelf');
    const redoRun = /as run `(\S+)`\./.exec(String(redo.json?.text))?.[1];
    expect(redoRun).toBeDefined();
    const redone = await stack.watch.settled(redoRun!, { status: 'passed' });
    expect(redone.stages).toMatchObject([{ name: 'release:production', status: 'passed', summary: 'v0.1.0' }]);
    expect(redone.version?.done?.join(' ')).toContain('there already');
    expect((await versions().list('shelf')).map((v) => v.tag)).toEqual(['v0.2.0', 'v0.1.0']);
    expect(Object.keys(await remoteTags()).sort()).toEqual(['v0.1.0', 'v0.2.0']);
  });

  it('a step that fails (the version tag is on another image) does not undo the deploy: the thread says what failed and how to redo it', async () => {
    expect((await command('/slipway', 'unlock production')).json?.text).toContain('unlocked shelf production');
    // Someone put v0.2.1 on another image by hand: slipway must not move it.
    const v010 = (await versions().list('shelf')).find((v) => v.tag === 'v0.1.0')!;
    await registryImageTagger(registryCredentials({}, process.env)).tag(`${TEST_REGISTRY}/${IMAGE}`, v010.digest, 'v0.2.1');
    const runId = await push({ 'www/version': 'r4\n' }, 'chore: tidy up');

    const passed = await promote(runId);

    expect(await served(PRODUCTION)).toBe('r4');
    expect(passed.stages.at(-1)).toMatchObject({ name: 'release:production', status: 'passed', summary: 'v0.2.1: 1 step(s) failed, see the thread' });
    expect((await remoteTags())['v0.2.1']).toBe(await stack.repo.head());
    expect(await registryDigest('v0.2.1')).toBe(v010.digest);
    const blocks = String((await versionReply(runId, 'v0.2.1')).args.blocks);
    expect(blocks).toContain(`exists already on ${v010.digest}`);
    expect(blocks).toContain('to redo what failed: /slipway release shelf');
    expect(blocks).toContain('*Other*');
  });
});
