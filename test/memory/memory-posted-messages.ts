import type { AlertPlace, OpenAlert, PostedMessages } from '../../src/core/ports.js';
import { ExpiringMap } from './expiring-map.js';

const DAY_MS = 24 * 3600 * 1000;
const MESSAGE_MS = 30 * DAY_MS;
const ALERT_MS = 90 * DAY_MS;

/**
 * What was posted per run, as RedisPostedMessages keeps it: one hash per run whose 30 days start again at each
 * record, and open alerts kept 90 days.
 */
export class MemoryPostedMessages implements PostedMessages {
  private readonly messages: ExpiringMap<Record<string, string>>;
  private readonly alerts: ExpiringMap<OpenAlert>;

  constructor(now: () => number = Date.now) {
    this.messages = new ExpiringMap(now);
    this.alerts = new ExpiringMap(now);
  }

  async read(runId: string): Promise<Record<string, string>> {
    return { ...this.messages.get(runId) };
  }

  async record(runId: string, fields: Record<string, string>): Promise<void> {
    this.messages.set(runId, { ...this.messages.get(runId), ...fields }, MESSAGE_MS);
  }

  async openAlert(place: AlertPlace, alert: OpenAlert): Promise<void> {
    this.alerts.set(alertKey(place), { ...alert }, ALERT_MS);
  }

  // No await between the look and the delete: of two callers one gets it, as with GETDEL.
  async takeAlert(place: AlertPlace): Promise<OpenAlert | undefined> {
    const key = alertKey(place);
    const open = this.alerts.get(key);
    this.alerts.delete(key);
    return open;
  }
}

const alertKey = ({ service, branch, environment }: AlertPlace) => JSON.stringify([service, branch, environment]);
