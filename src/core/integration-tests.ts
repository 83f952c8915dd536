import { z } from 'zod';
import type { Run, StageName } from './run.js';
import { stageEnvironment, stageKind } from './run.js';
import { envVarName, NetworkMode } from './target-schema.js';

/** The variable that holds the environment's URL in the integration tests' container. */
export const INTEGRATION_URL_VAR = 'SLIPWAY_URL';

const imageReference = z
  .string()
  .regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$/, 'expected an image reference like 127.0.0.1:5000/discounts-it:1.4 or …@sha256:…');

/**
 * `integrationTests:` of an environment: a container run after each deploy there (before its synthetics), from a
 * build target of the service's Dockerfile (built once per run, next to the release) or from an image. It gets the
 * environment's URL as `SLIPWAY_URL`; its exit code and JUnit report gate the run as unit tests do.
 */
export const IntegrationTests = z
  .strictObject({
    /** A target of the service's own Dockerfile. */
    target: z.string().min(1).optional(),
    /** Or an image, used when the engine has it, else pulled with the registry's credentials. */
    image: imageReference.optional(),
    /** Exec form (`[program, arg…]`), or one string run with `sh -c`. Replaces the image's entrypoint. */
    command: z.union([z.string().min(1, 'expected a command'), z.array(z.string()).min(1, 'expected the program and its arguments')], {
      error: 'expected a command: a string (run with sh -c) or a list [program, arg…]',
    }),
    /** Plain variables besides SLIPWAY_URL. */
    env: z.record(envVarName.refine((n) => n !== INTEGRATION_URL_VAR, `${INTEGRATION_URL_VAR} is set by slipway to the environment's URL`), z.string()).default({}),
    /** Where the JUnit report is inside the container when the command ends; unset, the exit code alone decides. */
    junit: z.string().startsWith('/', 'expected an absolute path inside the container, like /reports/junit.xml').optional(),
    timeoutSeconds: z.number().positive().default(600),
    /** Unset: the environment's network. `bridge` reaches the environment at its url only (never slipway's loopback). */
    network: NetworkMode.optional(),
  })
  .superRefine((tests, ctx) => {
    if ((tests.target === undefined) === (tests.image === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'expected exactly one of target (a build target of the service’s Dockerfile) or image' });
    }
  });
export type IntegrationTests = z.infer<typeof IntegrationTests>;

/** Whether a URL's host is this machine's loopback, which a container on a bridge network cannot reach. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}

/** The container's command: exec form as given, a string through `sh -c`. */
export function integrationCommand(tests: Pick<IntegrationTests, 'command'>): string[] {
  return typeof tests.command === 'string' ? ['sh', '-c', tests.command] : [...tests.command];
}

/** The container's variables: the configured ones, then the environment's URL (slipway's word wins). */
export function integrationEnv(tests: Pick<IntegrationTests, 'env'>, url: string): Record<string, string> {
  return { ...tests.env, [INTEGRATION_URL_VAR]: url };
}

/** Local tag of a run's integration-test image built from `target`; never pushed. */
export function integrationImageTag(run: Pick<Run, 'service' | 'id'>, target: string): string {
  // A tag is at most 128 characters of [A-Za-z0-9_.-].
  return `slipway-it/${run.service}:${`${run.id}-${target.replace(/[^A-Za-z0-9_.-]+/g, '-')}`.slice(0, 128)}`;
}

type WithIntegration = {
  environments: readonly { name: string; integrationTests?: IntegrationTests }[];
  ephemeral?: { integrationTests?: IntegrationTests };
};

/** The integration tests of the environment an `integration:ENV` stage names (a branch's: the `ephemeral` section's). */
export function integrationTestsOf(service: WithIntegration, stage: string): IntegrationTests | undefined {
  const environment = stageEnvironment(stage);
  const named = service.environments.find((e) => e.name === environment);
  return named ? named.integrationTests : service.ephemeral?.integrationTests;
}

/**
 * Why the tests' container could not reach the environment, if so: on the bridge network it has a network
 * namespace of its own, where the host's loopback is not there.
 */
export function unreachableUrlProblem(network: NetworkMode, url: string): string | undefined {
  if (network !== 'bridge' || !isLoopbackUrl(url)) return undefined;
  return `on the bridge network the tests cannot reach ${url} (loopback): set url to an address the build engine's containers reach, or network: host`;
}

/** The Dockerfile targets the run's integration stages need, each once, in the order they come. */
export function integrationTargets(service: WithIntegration, stages: readonly StageName[] | readonly string[]): string[] {
  const targets = stages.filter((s) => stageKind(s) === 'integration').map((s) => integrationTestsOf(service, s)?.target);
  return [...new Set(targets.filter((t): t is string => t !== undefined))];
}

/**
 * The checks of an environment that come after its deploy in this run, in order (`integration:ENV`, then
 * `synthetics:ENV`): the last of them decides whether the release got through, and settles a blue/green switch.
 */
export function checksAfterDeploy(stages: readonly { name: string }[], environment: string): string[] {
  return stages.map((s) => s.name).filter((n) => n === `integration:${environment}` || n === `synthetics:${environment}`);
}
