/**
 * The interfaces the core needs from the outside world. AWS adapters (lambdas/aws), local
 * adapters (local/) and test fakes implement them; handlers only ever see these.
 */
import type { EnrichedReading, ReasonCode } from "./core/reading.js";

export interface Clock {
  /** Epoch ms. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface StoreRejection {
  /** Index of the refused reading in the array given to `write`. */
  readonly index: number;
  readonly reason: string;
}

export interface ReadingStore {
  /** The most readings one `write` call accepts (Timestream: 100). */
  readonly maxBatchSize: number;
  /**
   * Stores readings. Readings the store refuses for good come back as rejections; a transient
   * failure (throttling, 5xx, I/O) throws, and then none of the readings count as stored.
   */
  write(readings: readonly EnrichedReading[]): Promise<readonly StoreRejection[]>;
}

/** A refused reading, kept whole so that it can be inspected and replayed. */
export interface QuarantineEntry {
  readonly reason: ReasonCode;
  readonly detail: string;
  readonly topic: string;
  /** ISO 8601, UTC. */
  readonly receivedAt: string;
  /** The raw payload: UTF-8 text when it decodes as such, otherwise base64. */
  readonly payload: string;
  readonly payloadEncoding: "utf8" | "base64";
}

export interface Quarantine {
  /** Keeps the entries durably or throws; callers retry the readings when it throws. */
  put(entries: readonly QuarantineEntry[]): Promise<void>;
}

/** Told about readings once they are stored. It must never make storage fail. */
export interface StoredReadingsListener {
  onStored(readings: readonly EnrichedReading[]): Promise<void>;
}
