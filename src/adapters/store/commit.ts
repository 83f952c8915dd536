import type { ChainableCommander } from 'ioredis';

/**
 * Runs a MULTI … EXEC and answers each command's result. ioredis puts a failed command's error among the
 * results instead of rejecting: here the first one is thrown, so a half-applied write is never taken as done.
 */
export async function commit(transaction: ChainableCommander): Promise<unknown[]> {
  const results = await transaction.exec();
  if (!results) throw new Error('the Redis transaction was discarded');
  for (const [error] of results) if (error) throw error;
  return results.map(([, value]) => value);
}
