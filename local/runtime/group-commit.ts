/**
 * Group commit: messages that arrive close together are handed to `commit` as one batch (one
 * SQLite transaction, one fsync), and each submitter learns its own message's fate only when
 * the batch is durable. One batch is committed at a time; what arrives meanwhile forms the next
 * one, so batches grow with the load and a quiet sensor waits at most `maxDelayMs`.
 */
export interface GroupCommitOptions {
  readonly maxBatch: number;
  readonly maxDelayMs: number;
}

/** Commits a batch; returns the indexes of the items that were not made durable. */
export type CommitBatch<T> = (items: readonly T[]) => Promise<readonly number[]>;

interface Waiting<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class NotCommittedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "NotCommittedError";
  }
}

export class GroupCommitter<T> {
  private queue: Waiting<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly commit: CommitBatch<T>,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Resolves once the item is durable; rejects when it is not (the sender must deliver it again). */
  submit(item: T): Promise<void> {
    if (this.closed) return Promise.reject(new NotCommittedError("shutting down"));
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.options.maxDelayMs);
    });
  }

  /** Refuses new items and resolves once everything submitted so far is settled. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0 || this.running !== undefined) {
      this.kick();
      await this.running;
    }
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running !== undefined || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.running = this.run(batch).finally(() => {
      this.running = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async run(batch: readonly Waiting<T>[]): Promise<void> {
    let failed: ReadonlySet<number>;
    let reason = "not stored; deliver again";
    try {
      failed = new Set(await this.commit(batch.map(({ item }) => item)));
    } catch (error) {
      failed = new Set(batch.keys());
      reason = error instanceof Error ? error.message : String(error);
    }
    for (const [index, waiting] of batch.entries()) {
      if (failed.has(index)) waiting.reject(new NotCommittedError(reason));
      else waiting.resolve();
    }
  }
}
