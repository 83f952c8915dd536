export type { Logger } from 'pino';

/** A dependency `/readyz` checks. */
export interface HealthProbe {
  readonly name: string;
  /** Resolves when reachable; rejects with a message saying what is wrong. */
  check(): Promise<void>;
}
