import type Docker from 'dockerode';
import { type ContainerRequest, containerSpec } from '../../core/container-spec.js';
import { type EnvironmentSpec, healthUrl, routeId } from '../../core/environment-spec.js';
import type { HealthChecks, PlaceResult, TrafficProxy } from '../../core/ports.js';
import { containerLogTail, ensureImage, inspect, type PullFrom } from './run-container.js';

type Log = (...lines: string[]) => Promise<void>;
type Slot = 'blue' | 'green';

/**
 * Blue/green on one Docker host: the releases take turns on the environment's two slot ports, and the proxy
 * listening on its port sends all traffic to one of them. A new release starts beside the serving one and is
 * health-checked directly; only then does the proxy switch, in one change. The old one keeps running (so a
 * failed check can swap back at once) until `retire`, which waits out the drain time before stopping it.
 */
export class BlueGreen {
  constructor(
    private readonly docker: Docker,
    private readonly proxy: TrafficProxy,
    private readonly spec: EnvironmentSpec & { slots: readonly [number, number] },
    private readonly pull: PullFrom,
    private readonly health: HealthChecks,
  ) {}

  async place(request: Omit<ContainerRequest, 'name' | 'port'>, log: Log): Promise<PlaceResult> {
    const live = await this.liveSlot();
    const next: Slot = live === 'blue' ? 'green' : 'blue';
    const name = this.nameOf(next);
    await ensureImage(this.docker, request.image, this.pull);
    // Whatever holds the slot now is a standby the last deploy kept, or a failed attempt: never what serves.
    await this.removeContainer(name);
    const port = this.portOf(next);
    const created = await this.docker.createContainer(containerSpec({ ...request, name, port, labels: { ...request.labels, 'slipway.slot': next } }));
    await created.start();
    const url = healthUrl(this.spec, port);
    await log(`started ${name} on port ${port}${live ? ` beside ${this.nameOf(live)}, which keeps serving` : ''}; checking ${url}`);
    const healthy = await this.health.waitHealthy(url, this.spec.healthTimeoutSeconds * 1000);
    if (!healthy.ok) {
      const logTail = await containerLogTail(this.docker, name);
      await created.remove({ force: true });
      return { ok: false, cause: `${healthy.cause}; traffic never left ${live ? this.nameOf(live) : 'the previous release'}`, logTail };
    }
    // An environment that ran `recreate` before has its container on the port the proxy is to take.
    const unslotted = await inspect(this.docker, this.spec.container);
    if (unslotted) await this.docker.getContainer(unslotted.Id).remove({ force: true });
    await this.switchTo(next);
    await log(`${this.listen()} now sends traffic to ${name}`);
    return { ok: true };
  }

  /** Stops the release traffic left, after the drain time; true when one was there. */
  async retire(log: Log): Promise<boolean> {
    const live = await this.liveSlot();
    if (!live) return false;
    const standby = await inspect(this.docker, this.nameOf(other(live)));
    if (!standby) return false;
    await this.drain(this.nameOf(other(live)), log);
    // Checked again: a deploy that came in meanwhile may have made the standby the live one.
    if ((await this.liveSlot()) !== live) return false;
    await this.docker.getContainer(standby.Id).remove({ force: true });
    await log(`stopped ${this.nameOf(other(live))}`);
    return true;
  }

  /** Sends traffic back to the release kept running, and removes the one that failed; false when none was kept. */
  async revert(log: Log): Promise<boolean> {
    const live = await this.liveSlot();
    if (!live) return false;
    const back = other(live);
    const kept = await inspect(this.docker, this.nameOf(back));
    if (!kept) return false;
    if (!kept.State.Running) await this.docker.getContainer(kept.Id).start();
    const healthy = await this.health.waitHealthy(healthUrl(this.spec, this.portOf(back)), this.spec.healthTimeoutSeconds * 1000);
    if (!healthy.ok) {
      await log(`cannot swap back to ${this.nameOf(back)}: ${healthy.cause}`);
      return false;
    }
    await this.switchTo(back);
    // Requests the failed release had taken before the switch are still being answered: removed at once, they
    // would fail (the proxy answers 502). It goes the way a retired release goes, after the drain time.
    await log(`${this.listen()} sends traffic to ${this.nameOf(back)} again`);
    await this.drain(this.nameOf(live), log);
    await this.removeContainer(this.nameOf(live));
    await log(`removed ${this.nameOf(live)}`);
    return true;
  }

  async remove(): Promise<boolean> {
    const removed = await Promise.all([this.removeContainer(this.nameOf('blue')), this.removeContainer(this.nameOf('green'))]);
    await this.proxy.remove(routeId(this.spec));
    return removed.some(Boolean);
  }

  /** The container traffic goes to now. */
  async liveContainer(): Promise<string | undefined> {
    const live = await this.liveSlot();
    return live && this.nameOf(live);
  }

  private async liveSlot(): Promise<Slot | undefined> {
    const upstream = await this.proxy.upstream(routeId(this.spec));
    const port = upstream ? Number(upstream.slice(upstream.lastIndexOf(':') + 1)) : undefined;
    if (port === this.spec.slots[0]) return 'blue';
    if (port === this.spec.slots[1]) return 'green';
    return undefined;
  }

  private switchTo(slot: Slot): Promise<void> {
    return this.proxy.route(routeId(this.spec), this.listen(), `${this.spec.proxy?.upstreamHost ?? '127.0.0.1'}:${this.portOf(slot)}`);
  }

  private listen(): string {
    return `${this.spec.proxy?.listen ?? '127.0.0.1'}:${this.spec.port}`;
  }

  /** Waits out the drain time, in which the release traffic left finishes the requests it had taken. */
  private async drain(name: string, log: Log): Promise<void> {
    if (this.spec.drainSeconds <= 0) return;
    await log(`draining ${name} for ${this.spec.drainSeconds} s`);
    await new Promise((resolve) => setTimeout(resolve, this.spec.drainSeconds * 1000));
  }

  private nameOf(slot: Slot): string {
    return `${this.spec.container}-${slot}`;
  }

  private portOf(slot: Slot): number {
    return slot === 'blue' ? this.spec.slots[0] : this.spec.slots[1];
  }

  private async removeContainer(name: string): Promise<boolean> {
    const found = await inspect(this.docker, name);
    if (!found) return false;
    await this.docker.getContainer(found.Id).remove({ force: true });
    return true;
  }
}

function other(slot: Slot): Slot {
  return slot === 'blue' ? 'green' : 'blue';
}
