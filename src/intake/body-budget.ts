/**
 * Room for request bodies that are read before their signature can be checked, shared by every route that
 * reads one. Anyone who reaches the port can send such a body, so how many are held at once and how many
 * bytes they take together are capped; past the cap a request is refused before its body is read.
 */
export class BodyBudget {
  private bodies = 0;
  private bytes = 0;

  constructor(
    readonly maxBodies = 64,
    readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  /** Holds room for one body of up to `bytes`; the returned function gives it back. Undefined when full. */
  reserve(bytes: number): (() => void) | undefined {
    if (this.bodies + 1 > this.maxBodies || this.bytes + bytes > this.maxBytes) return undefined;
    this.bodies += 1;
    this.bytes += bytes;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.bodies -= 1;
      this.bytes -= bytes;
    };
  }

  /** What is held now, for tests and metrics. */
  get held(): { bodies: number; bytes: number } {
    return { bodies: this.bodies, bytes: this.bytes };
  }
}
