/** A redrive that cannot go on (no such queue, no credentials): one line, exit 1. Apart, so that the CLI loads the SDK only to redrive. */
export class RedriveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RedriveError";
  }
}
