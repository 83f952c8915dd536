import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';
import { serviceList } from '../../../src/core/config-schema.js';
import type { ContainerRun, ContainerRunResult, DeployTarget, ImageBuild, ImageEngine } from '../../../src/core/ports.js';
import type { StageName } from '../../../src/core/run.js';
import { integrationStage } from '../../../src/queue/stages/integration-stage.js';
import type { StageContext } from '../../../src/queue/stages/stage-context.js';
import { memoryPorts } from '../../memory/memory-ports.js';
import { aRun, NOW, RELEASE, SIGNING_KEY } from './queue-fixtures.js';

/** `discounts`: staging runs integration tests from an image; qa from a Dockerfile target, then synthetics. */
const [SERVICE] = serviceList(
  parseConfig(`
services:
  discounts:
    repo: acme/discounts
    image: 127.0.0.1:5000/discounts
    channel: "#discounts"
    network: host
    environments:
      - name: staging
        port: 8080
        integrationTests: { image: "127.0.0.1:5000/discounts-it:1", command: "run-it --all", junit: /r/junit.xml, env: { SUITE: smoke }, timeoutSeconds: 5 }
      - name: qa
        port: 8082
        integrationTests: { target: integration, command: [run-it] }
        synthetics: [{ type: http, name: home, path: / }]
`),
);

const report = (cases: string) => `<testsuites><testsuite name="it">${cases}</testsuite></testsuites>`;
const PASSING = report('<testcase classname="it" name="home"/><testcase classname="it" name="health"/>');
const FAILING = report('<testcase classname="it" name="home"><failure message="no Discounts">x</failure></testcase><testcase classname="it" name="health"/>');

/**
 * The stage against an engine that answers `result` for the container it is asked to run (recording the request),
 * and a target that records what it is told to settle.
 */
function setup(result: Partial<ContainerRunResult>, { stage = 'integration:staging', images = ['127.0.0.1:5000/discounts-it:1'], cancelledBy }: { stage?: string; images?: string[]; cancelledBy?: string } = {}) {
  const runs: ContainerRun[] = [];
  const builds: ImageBuild[] = [];
  const settled: string[] = [];
  const log: string[] = [];
  const engine: ImageEngine = {
    build: async (request) => {
      builds.push(request);
      images.push(request.tag);
      return { ok: true };
    },
    run: async (request) => {
      runs.push(request);
      if (cancelledBy) {
        // Runs until the stage's cancel poll aborts it, as the engine's kill would end it.
        await new Promise<void>((resolve) => request.signal?.addEventListener('abort', () => resolve(), { once: true }));
        return { timedOut: false, aborted: true, files: [] };
      }
      return { exitCode: 0, timedOut: false, aborted: false, files: [], ...result };
    },
    readFiles: async () => [],
    push: async () => '',
    imageOrigin: async (ref) => (images.includes(ref) ? 'built' : 'absent'),
    tag: async () => {},
    discard: async () => {},
  };
  const target = {
    where: 'docker on the local engine',
    settle: async (outcome: 'keep' | 'revert') => {
      settled.push(outcome);
      return false;
    },
  } as unknown as DeployTarget;
  const stages: StageName[] = ['deploy:staging', 'integration:staging', 'deploy:qa', 'integration:qa', 'synthetics:qa'];
  const ctx: StageContext = {
    ...memoryPorts({ now: () => NOW.getTime() }),
    images: engine,
    targets: () => target,
    secrets: async () => ({ ok: true, values: {} }),
    synthetics: {},
    releasing: { get hosts(): never { throw new Error('integration tests make no release'); }, get images(): never { throw new Error('integration tests make no release'); } },
    signingKey: SIGNING_KEY,
    run: { ...aRun('discounts-run1', stages, { target: { environment: 'staging', ephemeral: false } }), release: RELEASE },
    service: SERVICE!,
    stage,
    sourceDir: async () => '/tmp/slipway-run-source',
    commitsBehind: async () => 0,
    isAncestorOf: async () => true,
    commitsSince: async () => [],
    pushTag: async () => {
      throw new Error('integration tests make no release');
    },
    cancelRequested: async () => cancelledBy,
    log: async (...lines) => void log.push(...lines),
    now: () => NOW,
  };
  return { ctx, runs, builds, settled, log };
}

describe('the integration stage', () => {
  it('runs the image with the environment’s URL, the command and variables, bounded by the timeout', async () => {
    const { ctx, runs } = setup({ files: [PASSING] });
    await integrationStage(ctx);
    expect(runs).toEqual([
      expect.objectContaining({
        name: 'slipway-it-discounts-run1-staging',
        image: '127.0.0.1:5000/discounts-it:1',
        command: ['sh', '-c', 'run-it --all'],
        env: { SUITE: 'smoke', SLIPWAY_URL: 'http://127.0.0.1:8080' },
        network: 'host',
        timeoutMs: 5_000,
        files: ['/r/junit.xml'],
        labels: { 'slipway.purpose': 'integration-tests', 'slipway.service': 'discounts', 'slipway.run': 'discounts-run1' },
      }),
    ]);
  });

  it.each([
    ['a passing report', { files: [PASSING] }, { status: 'passed', summary: '2 passed' }],
    ['a failed test case', { exitCode: 1, files: [FAILING] }, { status: 'failed', cause: 'integration tests: 1 of 2 tests failed: it › home (no Discounts)' }],
    ['a failed case even at exit 0', { exitCode: 0, files: [FAILING] }, { status: 'failed', cause: 'integration tests: 1 of 2 tests failed: it › home (no Discounts)' }],
    ['the timeout', { timedOut: true, exitCode: undefined }, { status: 'failed', cause: 'integration tests did not end within 5 s and were stopped (timeoutSeconds)' }],
    ['a non-zero exit without a report', { exitCode: 2 }, { status: 'failed', cause: 'integration tests exited with code 2; their output is on the run page' }],
    ['a non-zero exit with a passing report', { exitCode: 2, files: [PASSING] }, { status: 'failed', cause: 'integration tests exited with code 2 (2 passed); their output is on the run page' }],
    ['exit 0 without the report', { exitCode: 0, files: [undefined] }, { status: 'failed', cause: 'integration tests exited 0 but left no readable JUnit report at /r/junit.xml' }],
    ['exit 0 with an unreadable report', { exitCode: 0, files: ['<html/>'] }, { status: 'failed', cause: 'integration tests exited 0 but left no readable JUnit report at /r/junit.xml' }],
  ])('judges %s', async (_, result, outcome) => {
    const { ctx } = setup(result);
    expect(await integrationStage(ctx)).toEqual(outcome);
  });

  it('keeps the release when it is the environment’s last check, and leaves that to the synthetics otherwise', async () => {
    const last = setup({ files: [PASSING] });
    await integrationStage(last.ctx);
    expect(last.settled).toEqual(['keep']);

    const beforeSynthetics = setup({ exitCode: 0 }, { stage: 'integration:qa', images: [] });
    expect(await integrationStage(beforeSynthetics.ctx)).toMatchObject({ status: 'passed', summary: 'passed (exit code 0)' });
    expect(beforeSynthetics.settled).toEqual([]);
  });

  it('does not roll back an environment that is neither behind approval nor blue/green (as with synthetics)', async () => {
    const { ctx, settled } = setup({ exitCode: 1, files: [FAILING] });
    expect(await integrationStage(ctx)).toMatchObject({ status: 'failed' });
    expect(settled).toEqual([]);
  });

  it('builds the Dockerfile target when this engine lacks it (another worker built the run), then runs it', async () => {
    const { ctx, builds, runs, log } = setup({ exitCode: 0 }, { stage: 'integration:qa', images: [] });
    await integrationStage(ctx);
    expect(builds.map((b) => ({ tag: b.tag, target: b.target }))).toEqual([{ tag: 'slipway-it/discounts:discounts-run1-integration', target: 'integration' }]);
    expect(runs.map((r) => [r.image, r.command])).toEqual([['slipway-it/discounts:discounts-run1-integration', ['run-it']]]);
    expect(log).toContain('building the integration tests\' target "integration" on this worker\'s engine');
  });

  it('does not build a target the build stage left on this engine', async () => {
    const { ctx, builds } = setup({ exitCode: 0 }, { stage: 'integration:qa', images: ['slipway-it/discounts:discounts-run1-integration'] });
    await integrationStage(ctx);
    expect(builds).toEqual([]);
  });

  it('stops the container when the run is cancelled, and ends the stage cancelled', async () => {
    const { ctx } = setup({}, { cancelledBy: '<@U0BOB>' });
    expect(await integrationStage(ctx)).toEqual({ status: 'cancelled', by: '<@U0BOB>' });
  });
});
