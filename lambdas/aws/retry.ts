export interface RetryOptions {
  /** Tries in all, the first included. */
  readonly attempts: number;
  /** Wait before the second try; doubles after each failure. */
  readonly baseDelayMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `action` until it succeeds or `attempts` are spent, then throws the last error. On top of
 * the SDK's own retries: those cover throttling and 5xx of one call, this covers a dependency
 * that is briefly down for longer than they wait.
 */
export async function withRetry<T>(action: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  let lastError: unknown;
  for (let attempt = 0; attempt < options.attempts; attempt += 1) {
    if (attempt > 0) await sleep(options.baseDelayMs * 2 ** (attempt - 1));
    try {
      return await action();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
