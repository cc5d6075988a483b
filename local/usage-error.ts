/** A mistake in the command line: the CLI prints its message on one line, with no stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
