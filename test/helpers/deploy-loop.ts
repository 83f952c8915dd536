import type { Run } from '../../src/core/run.js';
import type { FakeSlack } from '../fakes/fake-slack.js';
import type { RunWatch } from './run-watch.js';
import { served, until } from './run-watch.js';
import type { SampleRepo } from './sample-repo.js';
import type { slackUsers } from './slack-users.js';
import { epochMs, type RequestClient, steadyClient, type SteadyFigures } from './steady-client.js';

/** What the loop needs of a slack stack (test/helpers/slack-stack.ts). */
export type LoopStack = { repo: SampleRepo; slack: FakeSlack; watch: RunWatch; users: ReturnType<typeof slackUsers> };

export type LoopTarget = {
  service: string;
  environment: string;
  /** Where the environment answers: the proxy's port with blue/green, the container's with recreate. */
  port: number;
  /** An approver of the environment, who asks for the rollback, and the channel they type in. */
  approver: string;
  channel: string;
};

export type LoopStepKind = 'deploy' | 'unhealthy' | 'rollback';
/**
 * One step of the loop, once its run has ended: `version` is what the environment should serve now; `from` and
 * `to` (ms since the epoch) span the push or command to the moment every client was served it.
 */
export type LoopStep = { kind: LoopStepKind; run: Run; version: string; from: number; to: number };

export type LoopResult = {
  /** What each client saw: a kept-alive one and one on new connections. */
  clients: { name: string; figures: SteadyFigures }[];
  /** The versions the environment should have served, in order, each once. */
  expected: string[];
  /** The version whose health check failed: never to be served. */
  unhealthy: string;
  steps: Omit<LoopStep, 'run'>[];
  seconds: number;
};

export const DEPLOYS = 5;

export type LoopOptions = {
  /** Runs after each step's run has ended and every client has been served what it should. */
  onStep?(step: LoopStep): Promise<void>;
  /** Starts a client sending to the port; by default in this process. */
  client?(port: number, keepAlive: boolean): RequestClient | Promise<RequestClient>;
};

/**
 * The zero-downtime proof of issue 16 §4, as a test asserts it and the benchmark measures it: with `r0` deployed,
 * clients send requests to the environment without pause through 5 successful deploys (`r1`…`r5`, each a new
 * commit serving a new version string), a deploy whose new version fails its health check (its `/healthz` is
 * gone), and a `/rollback` (back to `r4`). The clients keep sending while `onStep` looks at each step's outcome.
 */
export async function deployLoop(stack: LoopStack, target: LoopTarget, options: LoopOptions = {}): Promise<LoopResult> {
  const { onStep = async () => {}, client = (port, keepAlive) => steadyClient(port, { keepAlive }) } = options;
  const started = epochMs();
  const pushVersion = async (version: string, options?: { remove: string[] }) => {
    await stack.repo.commit({ 'www/version': `${version}\n` }, `Version ${version}`, options);
    const { runId } = await stack.repo.push('main');
    if (!runId) throw new Error(`the push of ${version} started no run`);
    return runId;
  };
  const passed = async (runId: string) => {
    const run = await stack.watch.settled(runId);
    if (run.status !== 'passed') throw new Error(`run ${runId} ended ${run.status}${run.failure ? ` at ${run.failure.stage}: ${run.failure.cause}` : ''}`);
    return run;
  };

  await passed(await pushVersion('r0'));
  await until(async () => ((await served(target.port).catch(() => '')) === 'r0' ? true : undefined), `${target.service} ${target.environment} to serve r0`, 30_000);

  const clients = [
    { name: 'kept-alive connection', client: await client(target.port, true) },
    { name: 'new connection each time', client: await client(target.port, false) },
  ];
  const expected = ['r0'];
  const steps: Omit<LoopStep, 'run'>[] = [];
  const servedByAll = (version: string) => Promise.all(clients.map(({ client: sender }) => sender.until(version)));
  const stepDone = async (step: LoopStep) => {
    steps.push({ kind: step.kind, version: step.version, from: step.from, to: step.to });
    await onStep(step);
  };
  try {
    await servedByAll('r0');
    for (let i = 1; i <= DEPLOYS; i += 1) {
      const version = `r${i}`;
      const from = epochMs();
      const run = await passed(await pushVersion(version));
      expected.push(version);
      await servedByAll(version);
      await stepDone({ kind: 'deploy', run, version, from, to: epochMs() });
    }

    const unhealthy = `r${DEPLOYS + 1}-unhealthy`;
    const unhealthyFrom = epochMs();
    const failedRunId = await pushVersion(unhealthy, { remove: ['www/healthz'] });
    const failed = await stack.watch.settled(failedRunId);
    if (failed.status !== 'failed' || failed.failure?.stage !== `deploy:${target.environment}`) {
      throw new Error(`the deploy of ${unhealthy} should fail its health check, but run ${failedRunId} ended ${failed.status} at ${failed.failure?.stage}`);
    }
    await servedByAll(expected.at(-1)!);
    await stepDone({ kind: 'unhealthy', run: failed, version: expected.at(-1)!, from: unhealthyFrom, to: epochMs() });

    const rollbackFrom = epochMs();
    const rollbackRun = await rollBack(stack, target);
    const back = `r${DEPLOYS - 1}`;
    expected.push(back);
    await servedByAll(back);
    await stepDone({ kind: 'rollback', run: rollbackRun, version: back, from: rollbackFrom, to: epochMs() });
    return { clients: await stopAll(), expected, unhealthy, steps, seconds: (epochMs() - started) / 1000 };
  } finally {
    await stopAll();
  }

  function stopAll() {
    return Promise.all(clients.map(async ({ name, client: sender }) => ({ name, figures: await sender.stop() })));
  }
}

/** `/rollback SERVICE ENV` and a click on its confirm button, as an approver does it; answers the rollback run once passed. */
async function rollBack(stack: LoopStack, target: LoopTarget): Promise<Run> {
  const runId = await stack.users.rollBack(`${target.service} ${target.environment}`, target.approver, target.channel);
  const run = await stack.watch.settled(runId);
  if (run.status !== 'passed') throw new Error(`rollback run ${runId} ended ${run.status}: ${run.failure?.cause}`);
  return run;
}
