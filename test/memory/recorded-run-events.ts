import type { RunEvents } from '../../src/core/ports.js';

/** The run events port as a list: what Slack would have been asked to show, in order. */
export class RecordedRunEvents implements RunEvents {
  readonly changes: string[] = [];

  async changed(runId: string): Promise<void> {
    this.changes.push(runId);
  }
}
