import type { ReasonCode } from "../lambdas/core/reading.js";
import type { SensorRegistry } from "../lambdas/core/sensor.js";
import type { Clock, QuarantineEntry } from "../lambdas/ports.js";
import { type IngestMessage, makeIngest } from "../lambdas/use-cases/ingest.js";
import type { LocalObservability } from "./runtime/local-observability.js";
import type { Db } from "./sqlite/database.js";
import { makeSqliteQuarantine, type QuarantineFilter, type QuarantineRow } from "./sqlite/quarantine.js";
import { makeSqliteReadingStore, SQLITE_MAX_BATCH } from "./sqlite/reading-store.js";

export interface ReplayDeps {
  readonly db: Db;
  readonly registry: SensorRegistry;
  readonly clock: Clock;
  readonly maxReadingAgeMs: number;
  readonly observability: LocalObservability;
}

export interface ReplayResult {
  readonly replayed: number;
  /** Now stored (once: the store's key makes a second replay a no-op). */
  readonly stored: number;
  /** Still refused, by their reason now. */
  readonly refused: Readonly<Partial<Record<ReasonCode, number>>>;
  /** Not settled (a store failure); they stay pending as they were. */
  readonly failed: number;
}

const toMessage = (row: QuarantineRow, now: number): IngestMessage => {
  // The original receive time: a replay must not win over a later genuine delivery of the reading.
  // A row written by hand may have none that parses: it is received now.
  const receivedAt = Date.parse(row.receivedAt);
  return {
    topic: row.topic,
    payload: row.payloadEncoding === "utf8" ? Buffer.from(row.payload, "utf8") : Buffer.from(row.payload, "base64"),
    receivedAt: Number.isNaN(receivedAt) ? now : receivedAt,
  };
};

const sameMessageKey = (entry: Pick<QuarantineEntry, "topic" | "receivedAt" | "payload">): string =>
  `${entry.topic}\u0000${entry.receivedAt}\u0000${entry.payload}`;

/**
 * Sends pending quarantined readings through the same pipeline as live ones (same validation, same
 * reason codes, same store). A reading that passes is stored and its row marked replayed; one that
 * fails again keeps its row, with the reason it fails for now. No alerts: these are old readings.
 */
export async function replayQuarantine(deps: ReplayDeps, filter: QuarantineFilter): Promise<ReplayResult> {
  const quarantine = makeSqliteQuarantine(deps.db);
  const pipeline = makeIngest({
    registry: deps.registry,
    store: makeSqliteReadingStore(deps.db),
    // Refused again: the existing row is updated below instead of a second row being added.
    quarantine: { put: async () => undefined },
    clock: deps.clock,
    maxReadingAgeMs: deps.maxReadingAgeMs,
    ...deps.observability,
  });
  const rows = quarantine.list({ ...filter, pendingOnly: true });
  const refused: Partial<Record<ReasonCode, number>> = {};
  let stored = 0;
  let failed = 0;
  for (let start = 0; start < rows.length; start += SQLITE_MAX_BATCH) {
    const batch = rows.slice(start, start + SQLITE_MAX_BATCH);
    const replayedAt = deps.clock.now();
    const messages = batch.map((row) => toMessage(row, replayedAt));
    const outcome = await pipeline.ingest(messages);
    const retry = new Set(outcome.retry);
    const idsByMessage = new Map<string, number[]>();
    for (const [index, row] of batch.entries()) {
      if (retry.has(index)) continue;
      // Keyed as the quarantine entry of its refusal will be: by the receive time it was sent with.
      const receivedAt = new Date(messages[index]?.receivedAt ?? replayedAt).toISOString();
      const key = sameMessageKey({ topic: row.topic, receivedAt, payload: row.payload });
      idsByMessage.set(key, [...(idsByMessage.get(key) ?? []), row.id]);
    }
    const now = new Date(replayedAt).toISOString();
    const settle = deps.db.transaction(() => {
      const stillRefused = new Set<number>();
      for (const entry of outcome.quarantined) {
        const id = idsByMessage.get(sameMessageKey(entry))?.shift();
        if (id === undefined) continue;
        stillRefused.add(id);
        quarantine.updateReason(id, entry.reason, entry.detail);
        refused[entry.reason] = (refused[entry.reason] ?? 0) + 1;
      }
      for (const [index, row] of batch.entries()) {
        if (retry.has(index) || stillRefused.has(row.id)) continue;
        quarantine.markReplayed(row.id, now);
        stored += 1;
      }
    });
    settle();
    failed += retry.size;
  }
  return { replayed: rows.length, stored, refused, failed };
}
