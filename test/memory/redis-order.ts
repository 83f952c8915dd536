/**
 * The few Redis orderings and ranges the Redis stores' answers depend on, so the memory stores answer the same
 * lists in the same order.
 */

/** LRANGE's inclusive `start`..`stop`, negative indices counting from the end (so `0, -1` is everything). */
export function lrange<T>(items: readonly T[], start: number, stop: number): T[] {
  const from = start < 0 ? Math.max(0, items.length + start) : start;
  const to = stop < 0 ? items.length + stop : Math.min(stop, items.length - 1);
  return from > to ? [] : items.slice(from, to + 1);
}

/** ZREVRANGE's order: highest score first; equal scores by member, greatest first, compared byte by byte. */
export function zrevOrder(scores: ReadonlyMap<string, number>): string[] {
  return [...scores.entries()]
    .sort(([a, scoreA], [b, scoreB]) => scoreB - scoreA || Buffer.compare(Buffer.from(b), Buffer.from(a)))
    .map(([member]) => member);
}
