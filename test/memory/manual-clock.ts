/** A clock that only moves when told: for the memory stores' TTLs in tests. */
export type ManualClock = { now: () => number; advance: (ms: number) => void };

export function manualClock(start = Date.parse('2026-11-01T10:00:00Z')): ManualClock {
  let at = start;
  return {
    now: () => at,
    advance: (ms) => {
      at += ms;
    },
  };
}
