import type { Logger } from '../core/ports.js';

/** What stops each started part, stopped in the reverse order they were started. */
export class Closers {
  private readonly list: (() => Promise<unknown>)[] = [];

  constructor(private readonly log: Logger) {}

  add(...closers: (() => Promise<unknown>)[]): void {
    this.list.push(...closers);
  }

  async closeAll(): Promise<void> {
    for (const closer of this.list.splice(0).reverse()) {
      await closer().catch((error: unknown) => this.log.warn({ err: error }, 'error while closing'));
    }
  }
}
