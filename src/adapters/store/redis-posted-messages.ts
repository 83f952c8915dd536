import type { Redis } from 'ioredis';
import type { AlertPlace, OpenAlert, PostedMessages } from '../../core/ports.js';
import { keys } from './redis-keys.js';
import { commit } from './commit.js';

const MESSAGE_DAYS = 30;
const ALERT_DAYS = 90;

/** One hash per run (`slipway:slack:<run>`), kept 30 days; open alerts 90 days. */
export class RedisPostedMessages implements PostedMessages {
  constructor(private readonly redis: Redis) {}

  read(runId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(keys.slackMessage(runId));
  }

  async record(runId: string, fields: Record<string, string>): Promise<void> {
    const key = keys.slackMessage(runId);
    await commit(this.redis.multi().hset(key, fields).expire(key, MESSAGE_DAYS * 24 * 3600));
  }

  async openAlert(place: AlertPlace, alert: OpenAlert): Promise<void> {
    await this.redis.set(alertKey(place), JSON.stringify(alert), 'EX', ALERT_DAYS * 24 * 3600);
  }

  async takeAlert(place: AlertPlace): Promise<OpenAlert | undefined> {
    // GETDEL: of two passing runs, one takes it.
    const open = await this.redis.getdel(alertKey(place));
    return open ? (JSON.parse(open) as OpenAlert) : undefined;
  }
}

const alertKey = ({ service, branch, environment }: AlertPlace) => keys.openAlert(service, branch, environment);
