import type Docker from 'dockerode';
import { type ContainerRequest, containerSpec } from '../../core/container-spec.js';
import type { HealthChecks } from '../../core/ports.js';
import { type RegistryAuth, registryOf } from './registry-auth.js';

export type ContainerSpec = ContainerRequest;

/** Where the new container's health is asked, for how long, and by what. */
export type HealthCheck = { url: string; timeoutMs: number; checks: HealthChecks };

/** How the engine gets a release it lacks: the registry's credentials, and the host's name for messages. */
export type PullFrom = { credentials(registry: string): Promise<RegistryAuth>; where: string };

/** `previous`: the id of the container the new one replaced, stopped and kept aside: the caller removes it. */
export type DeployResult = { ok: true; previous?: string } | { ok: false; cause: string; logTail: string };

const previousName = (name: string) => `${name}-previous`;

export async function inspect(docker: Docker, name: string, abortSignal?: AbortSignal) {
  try {
    return await docker.getContainer(name).inspect(abortSignal && { abortSignal });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/**
 * The image is here already when it was built on this engine; any other host pulls it by digest, with the
 * registry's credentials. A failed pull says which registry, which host and why.
 */
export async function ensureImage(docker: Docker, reference: string, from: PullFrom): Promise<void> {
  if (await inspectImage(docker, reference)) return;
  const registry = registryOf(reference);
  try {
    const stream = await docker.pull(reference, { authconfig: await from.credentials(registry) });
    let failed: string | undefined;
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (event: { error?: string; errorDetail?: { message?: string } }) => {
          if (event.error) failed = event.errorDetail?.message ?? event.error;
        },
      ),
    );
    if (failed) throw new Error(failed);
  } catch (error) {
    throw new PullError(`pulling ${reference} from registry ${registry} on ${from.where} failed: ${reasonOf(error)}`, { cause: error });
  }
}

export class PullError extends Error {}

/** The image's inspection, or undefined when the engine does not have it. */
export async function inspectImage(docker: Docker, reference: string) {
  try {
    return await docker.getImage(reference).inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** The engine's own words: its JSON error body when it answered one, else the message. */
export function reasonOf(error: unknown): string {
  const json = (error as { json?: { message?: string } | null }).json;
  const said = json?.message ?? (error as Error).message ?? String(error);
  // A streamed answer (pull, push) has no json: docker-modem puts "(HTTP code 500) server error - " before the words.
  return said.replace(/^\(HTTP code \d+\) [a-z ]+ - /, '').trim();
}

/**
 * Replaces the container `spec.name` with one of `spec.image` and waits for its health URL to answer 2xx.
 * Old and new cannot listen on the port at once (host networking, or the port published on the host): the old
 * one is stopped and kept aside, and is put back if the new one is not healthy in time. Once the new one is
 * healthy the old one is answered as `previous`, still there: removing it need not hold up the deploy.
 */
export async function replaceContainer(docker: Docker, spec: ContainerSpec, health: HealthCheck, from: PullFrom): Promise<DeployResult> {
  await recoverInterruptedDeploy(docker, spec.name);
  await ensureImage(docker, spec.image, from);
  const old = await inspect(docker, spec.name);
  // By id from here on: the old container's name changes while it is kept aside.
  const oldContainer = old && docker.getContainer(old.Id);
  if (oldContainer) {
    // Releases run under Docker's init (core/container-spec.ts), which passes SIGTERM on: this is quick even
    // for an app that ignores SIGTERM as PID 1. The stop stays here: the new release needs the port.
    if (old.State.Running) await oldContainer.stop({ t: 10 });
    await oldContainer.rename({ name: previousName(spec.name) });
  }

  const created = await docker.createContainer(containerSpec(spec));
  await created.start();
  const healthy = await health.checks.waitHealthy(health.url, health.timeoutMs);
  if (healthy.ok) return old ? { ok: true, previous: old.Id } : { ok: true };

  const logTail = await containerLogTail(docker, spec.name);
  await created.remove({ force: true });
  if (oldContainer) {
    await oldContainer.rename({ name: spec.name });
    await oldContainer.start();
  }
  return { ok: false, cause: healthy.cause, logTail };
}

/**
 * A deploy cut short (worker killed) leaves the old container aside under its "previous" name, and maybe a new
 * one that never proved healthy: the old one is the last good release, so it goes back before anything else.
 * (A deploy that got as far as healthy removes the old one; the resumed stage deploys the new release again.)
 */
async function recoverInterruptedDeploy(docker: Docker, name: string): Promise<void> {
  const previous = await inspect(docker, previousName(name));
  if (!previous) return;
  if (await inspect(docker, name)) await docker.getContainer(name).remove({ force: true });
  const kept = docker.getContainer(previous.Id);
  await kept.rename({ name });
  await kept.start();
}

export async function removeContainer(docker: Docker, name: string): Promise<boolean> {
  const found = await inspect(docker, name);
  if (!found) return false;
  await docker.getContainer(name).remove({ force: true });
  return true;
}

export async function containerLogTail(docker: Docker, name: string): Promise<string> {
  try {
    const buffer = (await docker.getContainer(name).logs({ stdout: true, stderr: true, tail: 30 })) as unknown as Buffer;
    return demultiplex(buffer);
  } catch {
    return '';
  }
}

/** Docker's log stream frames each chunk with an 8-byte header when the container has no TTY. */
function demultiplex(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
