import type Docker from 'dockerode';
import { type EnvironmentSpec, healthUrl } from '../../../core/environment-spec.js';
import type { DeployTarget, HealthChecks, PlacedRelease, PlaceResult } from '../../../core/ports.js';
import { swarmServiceSpec } from '../../../core/swarm-service-spec.js';
import { engineOf, type SwarmTarget } from '../../../core/target-schema.js';
import { lazyEngine } from '../engine-connection.js';
import { engineProblem } from '../engine-errors.js';
import { type RegistryAuth, registryOf } from '../registry-auth.js';
import { followRollback, followRollout, inspectService, type Log, type RolloutEnd, tasksOf } from './follow-rollout.js';
import { ensureSecrets, pruneSecrets } from './swarm-secrets.js';

export type SwarmTargetDeps = {
  /** slipway's own engine (`DOCKER_HOST`), when the target names no host. */
  localDockerHost?: string;
  credentials(registry: string): Promise<RegistryAuth>;
  health: HealthChecks;
  /** How often the service's update is looked at; tests make it shorter. */
  pollMs?: number;
};

/**
 * An environment as a Docker Swarm service (`<service>-<environment>`), driven through a manager's engine.
 * The first deploy creates the service; each later one updates its image to the release's digest and the
 * swarm rolls it out (its update config, and rollback on failure); slipway follows the update, bounded by
 * `deployTimeoutSeconds`, after which it asks the swarm to roll back. Nodes pull with the registry
 * credentials slipway sends along. The swarm keeps nothing aside for slipway: a revert is a new deploy.
 */
export function swarmTarget(spec: EnvironmentSpec, deps: SwarmTargetDeps): DeployTarget {
  const target = swarmTargetOf(spec);
  const { where, engine } = lazyEngine(engineOf(target), deps.localDockerHost);
  const name = spec.container;
  const owner = { service: spec.service, environment: spec.environment, container: name };
  const explained = async <T>(work: () => Promise<T>, failed: (cause: string) => T): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      return failed(engineProblem(error, where));
    }
  };

  async function place(release: PlacedRelease, log: Log): Promise<PlaceResult> {
    const docker = engine();
    const auth = await deps.credentials(registryOf(release.image));
    const secrets = await ensureSecrets(docker, owner, release.secrets);
    const labels = { 'slipway.service': spec.service, 'slipway.environment': spec.environment, 'slipway.run': release.runId, 'slipway.sha': release.sha };
    const body = swarmServiceSpec({ spec, target, image: release.image, labels, secrets });
    const current = await inspectService(docker, name);
    const timeoutMs = target.deployTimeoutSeconds * 1000;
    if (current) {
      await log(`updating the swarm service ${name} (${target.replicas} replicas, ${target.update.order}, ${target.update.parallelism} at a time)`);
      await updateService(docker, name, auth, { version: current.Version.Index }, body);
    } else {
      await log(`creating the swarm service ${name} (${target.replicas} replicas)`);
      await docker.createService(auth, body as unknown as Docker.ServiceSpec);
    }
    const previousStart = current?.UpdateStatus?.StartedAt;
    const end = await followRollout(docker, { name, runId: release.runId, replicas: target.replicas, previousStart, timeoutMs, log, pollMs: deps.pollMs });
    const failed = end.state === 'done' ? await notAnswering(spec, deps.health) : failure(name, end, target.deployTimeoutSeconds);
    if (!failed) {
      await pruneSecrets(docker, owner, await inspectService(docker, name));
      return { ok: true };
    }
    // What the environment had before is put back: the previous spec, or nothing for a service just made.
    const undone = current ? await rollBack(docker, end, failed.rollBack) : await removeNew(docker);
    await pruneSecrets(docker, owner, await inspectService(docker, name));
    return { ok: false, cause: [failed.cause, undone].filter(Boolean).join(': ') };
  }

  /** Asks the swarm to roll back when it has not itself, and waits for it. */
  async function rollBack(docker: Docker, end: RolloutEnd, needed: boolean): Promise<string | undefined> {
    if (!needed) return undefined;
    const service = await inspectService(docker, name);
    if (!service) return undefined;
    await updateService(docker, name, undefined, { version: service.Version.Index, rollback: 'previous' }, service.Spec);
    // A rollback runs the previous tasks' health checks and monitor period again: it gets at least two minutes.
    const how = await followRollback(docker, name, service.UpdateStatus?.StartedAt, Math.max(target.deployTimeoutSeconds, 120) * 1000);
    return end.state === 'timed out' ? `slipway asked the swarm to roll back, and ${how.replace(/^the swarm /, 'it ')}` : how;
  }

  async function removeNew(docker: Docker): Promise<string> {
    await docker.getService(name).remove().catch(() => undefined);
    return `the new service ${name} was removed`;
  }

  return {
    where: `swarm on ${where}`,

    place: (release, log) => explained<PlaceResult>(() => place(release, log), (cause) => ({ ok: false, cause })),

    // The swarm keeps no release aside for slipway: a revert is the deploy stage placing the previous release.
    settle: async (outcome) => outcome === 'keep',

    // The service's spec keeps no print of its settings and secrets yet: a run of the same digest updates it again.
    alreadyLive: async () => false,

    async remove() {
      const docker = engine();
      const service = await inspectService(docker, name);
      if (service) await docker.getService(name).remove();
      await pruneSecrets(docker, owner, undefined);
      return !!service;
    },

    async status() {
      const health = await deps.health.now(healthUrl(spec));
      try {
        const docker = engine();
        const service = await inspectService(docker, name);
        if (!service) return { health };
        const running = (await tasksOf(docker, name)).filter((task) => task.DesiredState === 'running' && task.Status.State === 'running').length;
        const container = service.Spec.TaskTemplate.ContainerSpec;
        return {
          running: { image: container.Image, runId: container.Labels['slipway.run'], sha: container.Labels['slipway.sha'] },
          replicas: { ready: running, desired: service.Spec.Mode?.Replicated?.Replicas ?? 0 },
          health,
        };
      } catch (error) {
        return { health: `${health}; ${engineProblem(error, where)}` };
      }
    },
  };
}

/** After the swarm says the update is done, the environment's address must answer too, as after any deploy. */
async function notAnswering(spec: EnvironmentSpec, health: HealthChecks): Promise<{ cause: string; rollBack: boolean } | undefined> {
  const healthy = await health.waitHealthy(healthUrl(spec), spec.healthTimeoutSeconds * 1000);
  return healthy.ok ? undefined : { cause: `the swarm updated ${spec.container}, but ${healthy.cause}`, rollBack: true };
}

/** Why a rollout failed, in one sentence for the failure alert; and whether slipway must still ask for the rollback. */
function failure(name: string, end: Exclude<RolloutEnd, { state: 'done' }>, timeoutSeconds: number): { cause: string; rollBack: boolean } {
  const task = end.taskError ? `: ${end.taskError}` : '';
  switch (end.state) {
    case 'rolled back':
      return { cause: `the swarm rolled ${name} back to the previous release${task} (${end.message})`, rollBack: false };
    case 'rollback paused':
      return { cause: `the swarm's rollback of ${name} paused${task} (${end.message}): look at docker service ps ${name}`, rollBack: false };
    case 'paused':
      return { cause: `the swarm paused the update of ${name}${task} (${end.message})`, rollBack: true };
    case 'timed out':
      return { cause: `${name} was not updated within ${timeoutSeconds} s (deployTimeoutSeconds; ${end.running} tasks updated)${task}`, rollBack: true };
  }
}

/** `POST /services/{id}/update`: the version and rollback go in the query, the spec in the body (docker-modem's `_query`/`_body`). */
async function updateService(docker: Docker, name: string, auth: RegistryAuth | undefined, query: { version: number; rollback?: 'previous' }, spec: object): Promise<void> {
  const service = docker.getService(name) as unknown as { update(auth: RegistryAuth | undefined, options: object): Promise<unknown> };
  await service.update(auth, { _query: query, _body: spec });
}

function swarmTargetOf(spec: EnvironmentSpec): SwarmTarget {
  if (spec.target?.kind !== 'swarm') throw new Error(`swarmTarget got ${spec.service} ${spec.environment}, whose target is not kind: swarm`);
  return spec.target;
}
