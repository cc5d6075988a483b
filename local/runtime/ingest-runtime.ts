import type { AlertRule } from "../../lambdas/core/alerts.js";
import type { EnrichedReading, InboundMessage } from "../../lambdas/core/reading.js";
import type { SensorRegistry } from "../../lambdas/core/sensor.js";
import type { AlertSink, AlertStateStore, Clock } from "../../lambdas/ports.js";
import { makeReadingAlerter } from "../../lambdas/use-cases/evaluate-alerts.js";
import { type IngestMessage, makeIngest } from "../../lambdas/use-cases/ingest.js";
import type { Db } from "../sqlite/database.js";
import { makeSqliteQuarantine } from "../sqlite/quarantine.js";
import { makeSqliteReadingStore, SQLITE_MAX_BATCH } from "../sqlite/reading-store.js";
import { GroupCommitter } from "./group-commit.js";
import type { LocalObservability } from "./local-observability.js";

export interface IngestCounters {
  readonly stored: number;
  readonly quarantined: number;
}

export interface IngestRuntimeDeps {
  readonly db: Db;
  readonly registry: SensorRegistry;
  readonly clock: Clock;
  readonly maxReadingAgeMs: number;
  readonly alertRules: readonly AlertRule[];
  readonly alertStates: AlertStateStore;
  readonly alertSink: AlertSink;
  readonly observability: LocalObservability;
  /** How long the first message of a batch waits for company. */
  readonly maxDelayMs?: number;
  /** Told of each batch's stored readings, once they are durable (the dashboard's live stream). */
  readonly onStored?: (readings: readonly EnrichedReading[]) => void;
  /** Told when a batch, or part of it, could not be made durable and must be delivered again. */
  readonly onFailure?: () => void;
}

export interface IngestRuntime {
  /** Resolves when the message is stored or quarantined durably; rejects when it must be sent again. */
  ingest(message: InboundMessage): Promise<void>;
  counters(): IngestCounters;
  /** Refuses new messages and settles the ones already handed over. */
  close(): Promise<void>;
}

/**
 * The cloud's ingest pipeline on the SQLite adapters, behind a group committer: the broker hands over
 * messages one by one and gets each acknowledgement once its batch is durable.
 */
export function makeIngestRuntime(deps: IngestRuntimeDeps): IngestRuntime {
  const { logger, metrics } = deps.observability;
  const alerter = makeReadingAlerter({
    rules: deps.alertRules,
    states: deps.alertStates,
    sink: deps.alertSink,
    logger,
    metrics,
  });
  const pipeline = makeIngest({
    registry: deps.registry,
    store: makeSqliteReadingStore(deps.db),
    quarantine: makeSqliteQuarantine(deps.db),
    clock: deps.clock,
    listener: {
      async onStored(readings) {
        // What watches the readings must never keep them from their alerts.
        try {
          deps.onStored?.(readings);
        } catch (error) {
          logger.error("a stored-readings watcher failed", { readings: readings.length, error });
        }
        await alerter.onStored(readings);
      },
    },
    maxReadingAgeMs: deps.maxReadingAgeMs,
    logger,
    metrics,
  });
  let stored = 0;
  let quarantined = 0;
  const committer = new GroupCommitter<IngestMessage>(
    async (messages) => {
      const outcome = await pipeline.ingest(messages).catch((error: unknown) => {
        deps.onFailure?.();
        throw error;
      });
      stored += outcome.stored;
      quarantined += outcome.quarantined.length;
      if (outcome.retry.length > 0) deps.onFailure?.();
      return outcome.retry;
    },
    { maxBatch: SQLITE_MAX_BATCH, maxDelayMs: deps.maxDelayMs ?? 2 },
  );
  return {
    ingest: (message) => committer.submit(message),
    counters: () => ({ stored, quarantined }),
    close: () => committer.close(),
  };
}
