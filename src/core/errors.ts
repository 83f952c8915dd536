/** An error a person can act on: a stable code for logs and tests, and a message that says what to do. */
export class SlipwayError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SlipwayError';
  }
}
