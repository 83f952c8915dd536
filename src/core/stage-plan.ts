import type { ServiceConfig } from './config-schema.js';
import { releaseEnvironment } from './releases/versioning.js';
import type { StageName } from './run.js';

export type RunTarget = { environment: string; ephemeral: boolean };

/**
 * The stages a run goes through, in order. A build deploys to its routed environment and then walks the
 * promotion chain: every environment listed after it, each behind its approval gate when it has one.
 */
export function planStages(service: ServiceConfig, target: RunTarget): StageName[] {
  const stages: StageName[] = ['checkout'];
  if (service.lintTarget) stages.push('validate');
  if (service.testTarget) stages.push('test');
  if (service.reports.coverage) stages.push('coverage');
  stages.push('build', 'push');

  if (target.ephemeral) {
    stages.push(`deploy:${target.environment}`);
    if (service.ephemeral?.integrationTests) stages.push(`integration:${target.environment}`);
    if ((service.ephemeral?.synthetics.length ?? 0) > 0) stages.push(`synthetics:${target.environment}`);
    return stages;
  }

  const start = service.environments.findIndex((env) => env.name === target.environment);
  for (const env of service.environments.slice(Math.max(start, 0))) {
    if (env.requireApproval) stages.push(`approval:${env.name}`);
    stages.push(`deploy:${env.name}`);
    if (env.integrationTests) stages.push(`integration:${env.name}`);
    if (env.synthetics.length > 0) stages.push(`synthetics:${env.name}`);
    // The version is made once the release environment has the release (deployed, checked): `releases:`.
    if (releaseEnvironment(service) === env.name) stages.push(`release:${env.name}`);
  }
  return stages;
}

export function teardownStages(target: RunTarget): StageName[] {
  return [`teardown:${target.environment}`];
}

/**
 * The stages of `/deploy <branch> to <env>`: the build, then the promotion chain from where the branch routes
 * (or from `env` itself when it lies outside that chain) up to and including `env`.
 */
export function planDeployTo(service: ServiceConfig, from: RunTarget, environment: string): StageName[] {
  const all = planStages(service, from);
  const chainStart = service.environments.findIndex((e) => e.name === from.environment);
  const targetIndex = service.environments.findIndex((e) => e.name === environment);
  if (from.ephemeral || chainStart < 0 || targetIndex < chainStart) {
    return planStages(service, { environment, ephemeral: false }).filter((s) => belongsUpTo(s, service, environment));
  }
  return all.filter((s) => belongsUpTo(s, service, environment));
}

function belongsUpTo(stage: StageName, service: ServiceConfig, environment: string): boolean {
  const env = stage.includes(':') ? stage.slice(stage.indexOf(':') + 1) : undefined;
  if (env === undefined) return true;
  const names = service.environments.map((e) => e.name);
  return names.indexOf(env) <= names.indexOf(environment);
}
