import type { Redis } from 'ioredis';
import type { AuditEntry, AuditLog } from '../../core/ports.js';
import { keys } from './redis-keys.js';
import { commit } from './commit.js';

const KEPT = 5_000;

export class RedisAuditLog implements AuditLog {
  constructor(private readonly redis: Redis) {}

  async record(entry: AuditEntry): Promise<void> {
    const key = keys.audit(entry.service);
    await commit(this.redis.multi().lpush(key, JSON.stringify(entry)).ltrim(key, 0, KEPT - 1));
  }

  async list(service: string, environment?: string, limit = 10): Promise<AuditEntry[]> {
    const entries = (await this.redis.lrange(keys.audit(service), 0, KEPT - 1)).map((t) => JSON.parse(t) as AuditEntry);
    return entries.filter((e) => environment === undefined || e.environment === environment).slice(0, limit);
  }
}
