import type { Redis } from 'ioredis';
import type { PortStore } from '../../core/ports.js';
import { keys } from './redis-keys.js';

// Atomic: the same environment keeps its port; otherwise the lowest free port of the range is taken.
const ALLOCATE = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return tonumber(existing) end
local taken = {}
for _, port in ipairs(redis.call('HVALS', KEYS[1])) do taken[port] = true end
for port = tonumber(ARGV[2]), tonumber(ARGV[3]) do
  if not taken[tostring(port)] then
    redis.call('HSET', KEYS[1], ARGV[1], port)
    return port
  end
end
return -1
`;

export class RedisPortStore implements PortStore {
  constructor(private readonly redis: Redis) {}

  async allocate(service: string, environment: string, range: { from: number; to: number }): Promise<number> {
    const port = Number(await this.redis.eval(ALLOCATE, 1, keys.ports(service), environment, range.from, range.to));
    if (port < 0) {
      throw new Error(`every port of ${service}'s ephemeral range ${range.from}-${range.to} is taken: delete old branches or widen the range`);
    }
    return port;
  }

  async free(service: string, environment: string): Promise<void> {
    await this.redis.hdel(keys.ports(service), environment);
  }

  async get(service: string, environment: string): Promise<number | undefined> {
    const port = await this.redis.hget(keys.ports(service), environment);
    return port === null ? undefined : Number(port);
  }
}
