import type { Redis, Result } from 'ioredis';
import type { VersionClaim, VersionRecord, VersionStore } from '../../core/ports.js';
import { keys } from './redis-keys.js';

/**
 * KEYS: sha → record, version → sha, the list; ARGV: sha, version, record. Answers {1, record} when the sha
 * has a version, {2, holder's record} when the version belongs to another sha, else {0, record} (claimed).
 */
const CLAIM_VERSION = `
local had = redis.call('HGET', KEYS[1], ARGV[1])
if had then return {1, had} end
local holder = redis.call('HGET', KEYS[2], ARGV[2])
if holder then return {2, redis.call('HGET', KEYS[1], holder) or ''} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
redis.call('LPUSH', KEYS[3], ARGV[3])
redis.call('LTRIM', KEYS[3], 0, 999)
return {0, ARGV[3]}
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slipwayClaimVersion(numberOfKeys: number, ...keysThenArgs: string[]): Result<[0 | 1 | 2, string], Context>;
  }
}

const parse = (text: string) => JSON.parse(text) as VersionRecord;

export class RedisVersionStore implements VersionStore {
  constructor(private readonly redis: Redis) {
    redis.defineCommand('slipwayClaimVersion', { lua: CLAIM_VERSION });
  }

  async ofSha(service: string, sha: string): Promise<VersionRecord | undefined> {
    const text = await this.redis.hget(keys.versionOfSha(service), sha);
    return text === null ? undefined : parse(text);
  }

  async latest(service: string): Promise<VersionRecord | undefined> {
    const [text] = await this.redis.lrange(keys.versions(service), 0, 0);
    return text === undefined ? undefined : parse(text);
  }

  async claim(record: VersionRecord): Promise<VersionClaim> {
    const { service } = record;
    const [answer, text] = await this.redis.slipwayClaimVersion(3, keys.versionOfSha(service), keys.shaOfVersion(service), keys.versions(service), record.sha, record.version, JSON.stringify(record));
    if (answer === 2) return { ok: false, holder: parse(text) };
    return { ok: true, record: parse(text), fresh: answer === 0 };
  }

  async list(service: string, limit = 20): Promise<VersionRecord[]> {
    return (await this.redis.lrange(keys.versions(service), 0, limit - 1)).map(parse);
  }
}
