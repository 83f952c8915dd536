import { type EnvironmentSpec, healthUrl } from '../../core/environment-spec.js';
import type { DeployTarget, HealthChecks, PlacedRelease, PlaceResult, TrafficProxy } from '../../core/ports.js';
import { engineOf } from '../../core/target-schema.js';
import { BlueGreen } from './blue-green.js';
import { lazyEngine } from './engine-connection.js';
import { engineProblem } from './engine-errors.js';
import type { RegistryAuth } from './registry-auth.js';
import type { RetiringContainers } from './retiring-containers.js';
import { inspect, PullError, removeContainer, replaceContainer } from './run-container.js';

/** How long "already live" may look before answering no: a host that does not answer at once gets the deploy. */
const ALREADY_LIVE_LOOK_MS = 2_000;

export type DockerTargetDeps = {
  /** slipway's own engine (`DOCKER_HOST`), for environments without a `target.host`. */
  localDockerHost?: string;
  credentials(registry: string): Promise<RegistryAuth>;
  /** The proxy of a blue/green environment (its `proxy.admin`, else slipway's own Caddy). */
  proxy(spec: EnvironmentSpec): Promise<TrafficProxy>;
  health: HealthChecks;
  /** Old releases still being removed, shared by every target of the process (see retiring-containers.ts). */
  retiring: RetiringContainers;
};

/**
 * An environment on a Docker engine: slipway's own, or another host's over ssh or TCP with mutual TLS. The
 * release is pulled there by digest; `recreate` replaces the container in place (the old one comes back if the
 * new one is not healthy), `blue-green` swaps behind a proxy.
 */
export function dockerTarget(spec: EnvironmentSpec, deps: DockerTargetDeps): DeployTarget {
  const { where, engine } = lazyEngine(engineOf(spec.target), deps.localDockerHost);
  const pull = { credentials: deps.credentials, where };
  const retiringKey = `${where} ${spec.container}`;
  const blueGreen = async () => {
    const { slots } = spec;
    if (spec.strategy !== 'blue-green' || !slots) return undefined;
    return new BlueGreen(engine(), await deps.proxy(spec), { ...spec, slots }, pull, deps.health);
  };
  const labels = (release: PlacedRelease) => ({
    'slipway.service': spec.service,
    'slipway.environment': spec.environment,
    'slipway.run': release.runId,
    'slipway.sha': release.sha,
    'slipway.print': release.print,
  });
  return {
    where: `docker on ${where}`,

    async place(release, log): Promise<PlaceResult> {
      await deps.retiring.settled(retiringKey);
      try {
        const request = { image: release.image, labels: labels(release), network: spec.network, runtime: spec.runtime, secrets: release.secrets };
        const swap = await blueGreen();
        if (swap) return await swap.place(request, log);
        const health = { url: healthUrl(spec), timeoutMs: spec.healthTimeoutSeconds * 1000, checks: deps.health };
        const replaced = await replaceContainer(engine(), { ...request, name: spec.container, port: spec.port }, health, pull);
        if (!replaced.ok) return replaced;
        // The new release serves: the old one, stopped already, is removed without holding up the deploy.
        if (replaced.previous) retire(replaced.previous, log);
        return { ok: true };
      } catch (error) {
        // One sentence naming the host for anything the engine or the network says: it goes into the failure alert.
        return { ok: false, cause: error instanceof PullError ? error.message : engineProblem(error, where) };
      }
    },

    async settle(outcome, log) {
      try {
        const swap = await blueGreen();
        if (!swap) return outcome === 'keep';
        if (outcome === 'revert') {
          await deps.retiring.settled(retiringKey);
          return await swap.revert(log);
        }
        // Traffic is on the new release already: the old one is drained and removed without holding up the run.
        deps.retiring.start(retiringKey, () => swap.retire(log), (error) => log(`retiring the previous release failed: ${engineProblem(error, where)}`));
        return true;
      } catch (error) {
        await log(`${outcome === 'keep' ? 'retiring the previous release' : 'swapping back'} failed: ${engineProblem(error, where)}`);
        return false;
      }
    },

    async remove() {
      await deps.retiring.settled(retiringKey);
      const swap = await blueGreen();
      const [plain, slotted] = await Promise.all([removeContainer(engine(), spec.container), swap ? swap.remove() : false]);
      return plain || slotted;
    },

    // The health phrase comes from the environment's address alone: it holds even when the engine does not answer.
    async status() {
      const health = await deps.health.now(healthUrl(spec));
      try {
        const swap = await blueGreen();
        const name = swap ? await swap.liveContainer() : spec.container;
        const found = name ? await inspect(engine(), name) : undefined;
        const labelsOf = found?.Config.Labels ?? {};
        const running = found && { image: found.Config.Image, runId: labelsOf['slipway.run'], sha: labelsOf['slipway.sha'] };
        return { running, health };
      } catch (error) {
        return { health: `${health}; ${engineProblem(error, where)}` };
      }
    },

    // The engine first: most deploys bring another image, and then one inspect answers without a health check.
    async alreadyLive(image, print) {
      const signal = AbortSignal.timeout(ALREADY_LIVE_LOOK_MS);
      const look = async () => {
        const swap = await blueGreen();
        const name = swap ? await swap.liveContainer() : spec.container;
        const found = name ? await inspect(engine(), name, signal) : undefined;
        if (!found?.State.Running || found.Config.Image !== image || found.Config.Labels?.['slipway.print'] !== print) return false;
        return (await deps.health.now(healthUrl(spec))) === 'healthy';
      };
      const timedOut = new Promise<false>((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true }));
      return Promise.race([look().catch(() => false), timedOut]);
    },
  };

  function retire(id: string, log: (...lines: string[]) => Promise<void>): void {
    deps.retiring.start(
      retiringKey,
      () => engine().getContainer(id).remove({ force: true }),
      (error) => log(`removing the previous release's container ${id.slice(0, 12)} failed: ${engineProblem(error, where)}; it is stopped, remove it by hand`),
    );
  }
}
