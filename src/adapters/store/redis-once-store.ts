import type { Redis, Result } from 'ioredis';
import type { Claim, OnceStore } from '../../core/ports.js';
import { keys } from './redis-keys.js';

/**
 * KEYS: first, rest…; ARGV: ttl, first's value, rest's values…. Answers {1, held} when first is held, else
 * {0, earlier of each of rest} (false, i.e. nil, where the claim was made).
 */
const CLAIM_GROUP = `
local held = redis.call('GET', KEYS[1])
if held then return {1, held} end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[1])
local answers = {0}
for i = 2, #KEYS do
  answers[i] = redis.call('SET', KEYS[i], ARGV[i + 1], 'EX', ARGV[1], 'NX', 'GET')
end
return answers
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    slipwayClaimGroup(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Result<[0 | 1, ...(string | null)[]], Context>;
  }
}

export class RedisOnceStore implements OnceStore {
  constructor(private readonly redis: Redis) {
    // Sent as EVALSHA: the script's text crosses the wire once per connection, not once per delivery.
    redis.defineCommand('slipwayClaimGroup', { lua: CLAIM_GROUP });
  }

  async claim(key: string, value: string, ttlSeconds: number): Promise<string | undefined> {
    // SET NX GET answers the earlier value in the same round trip, so two racing claims cannot both win.
    const earlier = await this.redis.set(keys.once(key), value, 'EX', ttlSeconds, 'NX', 'GET');
    return earlier ?? undefined;
  }

  async claimGroup(first: Claim, rest: readonly Claim[], ttlSeconds: number): Promise<{ held: string } | { rest: (string | undefined)[] }> {
    const claims = [first, ...rest];
    const [wasHeld, ...answers] = await this.redis.slipwayClaimGroup(claims.length, ...claims.map((c) => keys.once(c.key)), ttlSeconds, ...claims.map((c) => c.value));
    if (wasHeld === 1) return { held: answers[0]! };
    return { rest: rest.map((_, i) => answers[i] ?? undefined) };
  }

  async peek(key: string): Promise<string | undefined> {
    return (await this.redis.get(keys.once(key))) ?? undefined;
  }

  async forget(key: string): Promise<void> {
    await this.redis.del(keys.once(key));
  }
}
