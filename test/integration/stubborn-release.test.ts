import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { RedisLogStore } from '../../src/adapters/store/redis-log-store.js';
import { containerName } from '../../src/core/naming.js';
import { served, until } from '../helpers/run-watch.js';
import { sampleConfig, SIGNER_CHANNELS } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';
import { makeStubborn, STUBBORN_CMD } from '../helpers/stubborn-service.js';

// Ports of this file: 25300-25309.
const STAGING = 25300;
const NAME = containerName('stubborn', 'staging');
const PREVIOUS = `${NAME}-previous`;

const stack = useSlackStack({
  config: (repoUrl) =>
    sampleConfig({
      service: 'stubborn',
      repoUrl,
      image: 'slipway-sigterm-e2e',
      ...SIGNER_CHANNELS,
      branches: [{ match: 'main', deploy: 'staging' }],
      staging: { port: STAGING, healthTimeoutSeconds: 120 },
    }),
});
const docker = dockerClient(process.env.DOCKER_HOST);
const inspected = (name: string) => docker.getContainer(name).inspect().catch(() => undefined);

/** The `die` events the engine recorded for one container since `since` (seconds), with their exit codes. */
async function exitCodes(id: string, since: number): Promise<string[]> {
  const stream = await docker.getEvents({ since, until: Math.ceil(Date.now() / 1000) + 1, filters: { container: [id], event: ['die'] } });
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { Actor: { Attributes: { exitCode: string } } }).Actor.Attributes.exitCode);
}

describe('a release whose PID 1 ignores SIGTERM', { timeout: 300_000 }, () => {
  it('is stopped by the SIGTERM Docker’s init passes on, not killed after the stop timeout; then removed', async () => {
    await makeStubborn(stack.repo);
    const first = await stack.watch.settled(await stack.repo.pushVersion('stubborn-1'));
    expect(first.status).toBe('passed');
    const old = (await inspected(NAME))!;
    expect(old.Config.Cmd).toEqual(['sh', '-c', 'exec httpd -f -p 127.0.0.1:${PORT} -h /app/www']);
    const since = Math.floor(Date.now() / 1000) - 1;

    const second = await stack.watch.settled(await stack.repo.pushVersion('stubborn-2'));

    expect(second.status).toBe('passed');
    expect(await served(STAGING)).toBe('stubborn-2');
    // 143 = 128 + SIGTERM: httpd ended on the signal. After the stop timeout the engine's SIGKILL would give 137.
    expect(await exitCodes(old.Id, since)).toEqual(['143']);
    await until(async () => ((await inspected(old.Id)) ? undefined : true), 'the replaced release’s container to be removed', 120_000);
  });

  it('logs a removal of the old release that fails, and the run still passes', async () => {
    // The next release answers only once the test lets it: a window in which the old one is stopped and kept aside.
    const dockerfile = await readFile(join(stack.repo.dir, 'work', 'Dockerfile'), 'utf8');
    const gated = STUBBORN_CMD.replace('exec httpd', 'until [ -e /app/go ]; do sleep 0.1; done; exec httpd');
    await stack.repo.commit({ Dockerfile: dockerfile.replace(STUBBORN_CMD, gated) }, 'Answer once /app/go exists');
    const runId = await stack.repo.pushVersion('stubborn-3');
    const kept = await until(async () => inspected(PREVIOUS), `${PREVIOUS}, the old release kept aside`, 180_000);
    await until(async () => ((await inspected(NAME))?.State.Running ? true : undefined), `the new ${NAME} to run`, 60_000);

    // Someone removes the old container by hand before slipway does; then the new release starts answering.
    await docker.getContainer(kept.Id).remove({ force: true });
    const go = await docker.getContainer(NAME).exec({ Cmd: ['touch', '/app/go'] });
    await go.start({ Detach: true });
    const touched = await until(async () => {
      const state = await go.inspect();
      return state.Running ? undefined : state.ExitCode;
    }, 'touch /app/go in the new release to end', 60_000);
    expect(touched).toBe(0);
    const run = await stack.watch.settled(runId);

    expect(run.status).toBe('passed');
    expect(await served(STAGING)).toBe('stubborn-3');
    const logs = new RedisLogStore(stack.slipway.redis);
    const line = await until(
      async () => (await logs.read(runId, 'deploy:staging')).find((l) => l.startsWith("removing the previous release's container")),
      'the failed removal in the deploy log',
      60_000,
    );
    expect(line).toContain(`${kept.Id.slice(0, 12)} failed: `);
  });
});
