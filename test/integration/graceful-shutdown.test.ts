import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeContainersOf } from '../helpers/containers.js';
import { until } from '../helpers/run-watch.js';
import { createSampleRepo, type SampleRepo } from '../helpers/sample-repo.js';
import { SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';

let repo: SampleRepo;
let server: TestSlipway;
let dir: string;

afterAll(async () => {
  await server?.stop();
  await removeContainersOf('graceful');
  await repo?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('graceful shutdown', { timeout: 120_000 }, () => {
  it('a worker given SIGTERM in the middle of a run finishes that run, then exits', async () => {
    repo = await createSampleRepo();
    await repo.commit({ slow: '4\n' }, 'Tests that take four seconds');
    const config = `
services:
  graceful:
    repo: ${repo.url}
    testTarget: test
    buildTarget: app
    image: 127.0.0.1:5000/slipway-e2e-graceful
    network: host
    channel: "#graceful"
    channels: ["#deploys", "#sample"]   # where the fake Slack's commands and buttons come from
    environments:
      - { name: staging, port: 18580, healthTimeoutSeconds: 5 }
`;
    server = await startTestSlipway({ config });
    await repo.connect(`${server.url}/webhooks/gogs`, SECRETS.GOGS_WEBHOOK_SECRET);
    dir = await mkdtemp(join(tmpdir(), 'slipway-graceful-'));
    await writeFile(join(dir, 'slipway.yml'), config);
    const { SLACK_BOT_TOKEN: _t, ...inherited } = process.env;
    const worker = spawn(process.execPath, [resolve('dist/src/main.js'), 'worker'], {
      cwd: dir,
      env: { ...inherited, PORT: '0', REDIS_URL: server.redisServer.url, SLIPWAY_CONFIG: join(dir, 'slipway.yml') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    worker.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => worker.once('exit', (code) => r(code)));

    const { runId } = await repo.push('main');
    await until(async () => ((await server.runs.get(runId!))?.stages.find((s) => s.name === 'test')?.status === 'running' ? true : undefined), 'the test stage to start');
    worker.kill('SIGTERM');

    expect(await exited).toBe(0);
    const run = await server.runs.get(runId!);
    expect(run?.status).toBe('passed');
    const stopping = out.indexOf('"msg":"stopping"');
    expect(stopping).toBeGreaterThan(-1);
    expect(out.indexOf('"msg":"run passed"')).toBeGreaterThan(stopping);
    // Every line the run logged carries its id.
    const runLines = out.split('\n').filter((l) => l.includes('"stage"'));
    expect(runLines.length).toBeGreaterThan(3);
    expect(runLines.every((l) => l.includes(`"runId":"${runId}"`))).toBe(true);
  });
});
