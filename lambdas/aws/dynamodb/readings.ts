/**
 * ReadingStore over DynamoDB. Each write is one TransactWriteItems call of up to 100 Puts, each
 * conditioned on no item having its key yet (`attribute_not_exists`), rather than BatchWriteItem:
 * BatchWriteItem cannot condition a put, so it would overwrite a stored reading with a re-send's
 * values, which the contract forbids; and it takes 25 items a call where a transaction takes 100,
 * the size of an SQS batch. A transaction costs two write units an item instead of one.
 *
 * A cancelled transaction writes nothing and says why per item (`CancellationReasons`): an item
 * whose condition failed is stored already, and its stored values come back with it
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), so the same values are a replay (stored) and
 * others a `conflicting_duplicate`; items cancelled only because of another are tried again;
 * items throttled or in a conflicting transaction are tried again with backoff, and reported
 * unwritten if they still are, so that SQS delivers exactly those again.
 */
import {
  type CancellationReason,
  type DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import pRetry from "p-retry";
import type { EnrichedReading } from "../../core/reading.js";
import type { ReadingStore, StoreRejection, StoreWriteResult } from "../../ports.js";
import { differingValues, type Item, readingItem } from "./items.js";

/** TransactWriteItems takes at most 100 actions. */
export const DYNAMODB_MAX_TRANSACTION_ITEMS = 100;

/** Cancellation reasons that pass: the same transaction may succeed a moment later. */
const TRANSIENT_REASONS = new Set([
  "TransactionConflict",
  "ThrottlingError",
  "ProvisionedThroughputExceeded",
  "RequestLimitExceeded",
  "InternalServerError",
]);

export interface DynamoDbReadingStoreOptions {
  readonly client: DynamoDBClient;
  readonly table: string;
  /** How long an item is kept after its reading's time (the table's TTL). */
  readonly retentionMs: number;
  /** Transactions tried for the readings that a transient reason held back. @default 4 */
  readonly attempts?: number;
  /** Wait before the second try; doubles, with jitter. @default 50 */
  readonly retryDelayMs?: number;
}

interface Pending {
  /** Index in the array given to `write`. */
  readonly index: number;
  readonly item: Item;
}

/** What the outcome of one reading's put is, once the transaction settled it. */
type Settled = { readonly stored: true } | StoreRejection;

class HeldBack extends Error {
  constructor(readonly pending: readonly Pending[]) {
    super(`${pending.length} readings held back by DynamoDB (throttled or in a conflicting transaction)`);
    this.name = "HeldBack";
  }
}

export function createDynamoDbReadingStore(options: DynamoDbReadingStoreOptions): ReadingStore {
  const { client, table, retentionMs } = options;

  /**
   * One transaction: the readings it settled, those it cancelled only because of another's outcome
   * (to try again at once, without that other), and those held back for a passing reason.
   */
  async function transact(
    batch: readonly Pending[],
  ): Promise<{ settled: Map<number, Settled>; cancelled: Pending[]; heldBack: Pending[] }> {
    const settled = new Map<number, Settled>();
    try {
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: batch.map(({ item }) => ({
            Put: {
              TableName: table,
              Item: item,
              ConditionExpression: "attribute_not_exists(sensor_id)",
              ReturnValuesOnConditionCheckFailure: "ALL_OLD",
            },
          })),
        }),
      );
      for (const { index } of batch) settled.set(index, { stored: true });
      return { settled, cancelled: [], heldBack: [] };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons: readonly CancellationReason[] = error.CancellationReasons ?? [];
      // Without a reason per item nothing can be told apart: the caller retries the whole call.
      if (reasons.length !== batch.length) throw error;
      const cancelled: Pending[] = [];
      const heldBack: Pending[] = [];
      for (const [position, pending] of batch.entries()) {
        const code = reasons[position]?.Code ?? "None";
        if (code === "None") cancelled.push(pending);
        else if (TRANSIENT_REASONS.has(code)) heldBack.push(pending);
        else settled.set(pending.index, settle(pending, reasons[position]));
      }
      // A cancellation that names no culprit: nothing to leave out, so wait as for a passing one.
      if (cancelled.length === batch.length) return { settled, cancelled: [], heldBack: cancelled };
      return { settled, cancelled, heldBack };
    }
  }

  /** The outcome of a put whose transaction was cancelled by its own condition or a refusal. */
  function settle(pending: Pending, reason: CancellationReason | undefined): Settled {
    if (reason?.Code === "ConditionalCheckFailed") {
      const differing = reason.Item === undefined ? [] : differingValues(reason.Item, pending.item);
      if (differing.length === 0) return { stored: true };
      return {
        index: pending.index,
        code: "conflicting_duplicate",
        reason: `a reading of this sensor and time is already stored with other values, kept as they are: ${differing.join(", ")}`,
      };
    }
    return { index: pending.index, code: "store_rejected", reason: `${reason?.Code}: ${reason?.Message ?? "refused"}` };
  }

  /**
   * One round: transactions of readings whose keys are distinct (DynamoDB refuses two actions on
   * one item) until each is settled, the ones held back for a passing reason tried again with
   * backoff; those still held back after the last try are returned unwritten.
   */
  async function round(batch: readonly Pending[]): Promise<{ settled: Map<number, Settled>; unwritten: Pending[] }> {
    const settled = new Map<number, Settled>();
    let toTry = [...batch];
    try {
      await pRetry(
        async () => {
          const heldBack: Pending[] = [];
          while (toTry.length > 0) {
            const outcome = await transact(toTry);
            for (const [index, result] of outcome.settled) settled.set(index, result);
            heldBack.push(...outcome.heldBack);
            toTry = outcome.cancelled;
          }
          toTry = heldBack;
          if (heldBack.length > 0) throw new HeldBack(heldBack);
        },
        {
          retries: (options.attempts ?? 4) - 1,
          minTimeout: options.retryDelayMs ?? 50,
          factor: 2,
          randomize: true,
          shouldRetry: ({ error }) => error instanceof HeldBack,
        },
      );
    } catch (error) {
      if (!(error instanceof HeldBack)) throw error;
    }
    return { settled, unwritten: toTry };
  }

  return {
    maxBatchSize: DYNAMODB_MAX_TRANSACTION_ITEMS,
    async write(readings: readonly EnrichedReading[]): Promise<StoreWriteResult> {
      const rejected: StoreRejection[] = [];
      const unwritten: number[] = [];
      // The same reading twice in one batch (a redelivery) goes in a later round, where the
      // first one is the stored item it is compared with.
      let remaining: Pending[] = readings.map((reading, index) => ({ index, item: readingItem(reading, retentionMs) }));
      while (remaining.length > 0) {
        const seen = new Set<string>();
        const batch: Pending[] = [];
        const later: Pending[] = [];
        for (const pending of remaining) {
          const key = `${pending.item.sensor_id?.S}\u0000${pending.item.timestamp?.N}`;
          if (seen.has(key)) later.push(pending);
          else {
            seen.add(key);
            batch.push(pending);
          }
        }
        const outcome = await round(batch);
        for (const settled of outcome.settled.values()) if (!("stored" in settled)) rejected.push(settled);
        unwritten.push(...outcome.unwritten.map(({ index }) => index));
        const held = new Set(outcome.unwritten.map(({ item }) => `${item.sensor_id?.S}\u0000${item.timestamp?.N}`));
        // A duplicate of a reading still held back is held back with it.
        for (const pending of later) {
          if (held.has(`${pending.item.sensor_id?.S}\u0000${pending.item.timestamp?.N}`)) unwritten.push(pending.index);
        }
        remaining = later.filter(
          (pending) => !held.has(`${pending.item.sensor_id?.S}\u0000${pending.item.timestamp?.N}`),
        );
      }
      return { rejected: rejected.sort((a, b) => a.index - b.index), unwritten: unwritten.sort((a, b) => a - b) };
    },
  };
}
