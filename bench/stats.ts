/** Percentile by nearest rank over a copy of the samples; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);

/** A figure with its floor: the ratio is what the target is on, since absolute times drift on a shared machine. */
export type Compared = { value: number; floor: number; ratio: number };

export function compared(value: number, floor: number): Compared {
  return { value, floor, ratio: value / floor };
}

export const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
export const x = (ratio: number) => `${ratio.toFixed(2)}×`;

/** Milliseconds since `start` (from performance.now()). */
export const since = (start: number) => performance.now() - start;
