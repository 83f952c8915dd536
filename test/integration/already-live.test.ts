import { describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { containerName } from '../../src/core/naming.js';
import type { Run } from '../../src/core/run.js';
import { served } from '../helpers/run-watch.js';
import { sampleConfig, SIGNER_CHANNELS } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';

const STAGING = 25010;
const config = (logLevel: string) => (repoUrl: string) =>
  sampleConfig({
    service: 'live',
    repoUrl,
    image: 'slipway-e2e-live',
    ...SIGNER_CHANNELS,
    branches: [{ match: 'main', deploy: 'staging' }],
    staging: { port: STAGING, env: { LOG_LEVEL: logLevel } },
  });

const stack = useSlackStack({ config: config('info') });
const docker = dockerClient(process.env.DOCKER_HOST);
const containerId = async () => (await docker.getContainer(containerName('live', 'staging')).inspect()).Id;
const deployed = (run: Run) => run.stages.find((s) => s.name === 'deploy:staging');

/** `/deploy main` as someone in #deploys: the run it started, once it has ended. */
async function deployMain(): Promise<Run> {
  const answer = await stack.users.command('/deploy', 'main', 'U0ANN', 'deploys');
  const runId = /Started run `([^`]+)`/.exec(String(answer.json?.text))?.[1];
  if (!runId) throw new Error(`/deploy main started no run: ${JSON.stringify(answer.json)}`);
  return stack.watch.settled(runId);
}

describe('a release already live', { timeout: 180_000 }, () => {
  it('is not replaced by a run of the same sha with the same settings; it is when a setting changed', async () => {
    const first = await stack.watch.settled(await stack.repo.pushVersion('live-1'));
    expect(first.status).toBe('passed');
    expect(await served(STAGING)).toBe('live-1');
    const live = await containerId();

    const again = await deployMain();

    expect(again.status).toBe('passed');
    expect(deployed(again)?.summary).toBe(`already live: http://127.0.0.1:${STAGING} (${first.release?.tag})`);
    expect(await containerId()).toBe(live);
    expect(await served(STAGING)).toBe('live-1');

    // Another setting: the same digest runs anew with it.
    await stack.restart(config('debug'), { keepData: true });
    const changed = await deployMain();

    expect(changed.status).toBe('passed');
    expect(deployed(changed)?.summary).not.toMatch(/^already live/);
    expect(await containerId()).not.toBe(live);
    expect(await served(STAGING)).toBe('live-1');
  });
});
