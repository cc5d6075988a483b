/**
 * Ingest a batch: validate, enrich, store in chunks the store accepts, quarantine every reject in
 * one put, tell the listener. Transport-neutral: the Lambda entry feeds it the messages of an SQS
 * batch (lambdas/aws/sqs-batch.ts), the local runtime the publishes of its MQTT broker.
 */

import { createHash } from "node:crypto";
import { METRIC, REASON_DIMENSION } from "../bindings/metrics.js";
import type { EnrichedReading, InboundMessage, ReasonCode, Rejection } from "../core/reading.js";
import type { SensorRegistry } from "../core/sensor.js";
import { sensorIdFromTopic } from "../core/topics.js";
import { decodeUtf8, validateMessage } from "../core/validate.js";
import {
  type Clock,
  type HandlerLogger,
  type HandlerMetrics,
  MetricUnit,
  type Quarantine,
  type QuarantineEntry,
  type ReadingStore,
  type StoredReadingsListener,
  type StoreRejection,
} from "../ports.js";

export interface IngestDeps {
  readonly registry: SensorRegistry;
  readonly store: ReadingStore;
  readonly quarantine: Quarantine;
  readonly clock: Clock;
  readonly listener?: StoredReadingsListener;
  /** Oldest reading the store accepts, as an age in ms. */
  readonly maxReadingAgeMs: number;
  readonly logger: HandlerLogger;
  readonly metrics: HandlerMetrics;
}

/** A message to ingest; `transportRejection` is set when its transport already found it unreadable. */
export interface IngestMessage extends InboundMessage {
  readonly transportRejection?: Rejection;
}

export interface IngestOutcome {
  /** Readings the store holds now (including replays it already had). */
  readonly stored: number;
  /** Entries the quarantine holds now. */
  readonly quarantined: readonly QuarantineEntry[];
  /** Indexes of the messages to deliver again: their write or their quarantine failed. */
  readonly retry: readonly number[];
}

export interface Ingest {
  ingest(messages: readonly IngestMessage[]): Promise<IngestOutcome>;
}

/** Something about one message of the batch, with that message's index. */
interface Indexed<T> {
  readonly index: number;
  readonly message: IngestMessage;
  readonly value: T;
}

export function makeIngest(deps: IngestDeps): Ingest {
  const { registry, store, quarantine, clock, listener, maxReadingAgeMs, logger, metrics } = deps;

  return {
    async ingest(messages) {
      const startedAt = clock.now();
      const context = { registry, now: startedAt, maxReadingAgeMs };
      const valid: Indexed<EnrichedReading>[] = [];
      const rejected: Indexed<QuarantineEntry>[] = [];
      for (const [index, message] of messages.entries()) {
        const result = message.transportRejection
          ? { ok: false as const, rejection: message.transportRejection }
          : validateMessage(message, context);
        if (result.ok) valid.push({ index, message, value: result.reading });
        else rejected.push({ index, message, value: toQuarantineEntry(message, result.rejection) });
      }

      const written = await writeInChunks(valid);
      const stored = written.stored;
      for (const { index, message, value: refusal } of written.refused) {
        rejected.push({
          index,
          message,
          value: toQuarantineEntry(message, { reason: refusal.code, detail: refusal.reason }),
        });
      }
      const retry = [...written.retry];

      const quarantined = await quarantineAll(rejected);
      if (!quarantined) retry.push(...rejected.map(({ index }) => index));

      if (listener && stored.length > 0) await notify(listener, stored);

      recordMetrics(messages.length, stored, quarantined ? rejected : [], written.refused.length, startedAt);
      return { stored: stored.length, quarantined: quarantined ? rejected.map(({ value }) => value) : [], retry };
    },
  };

  async function writeInChunks(readings: readonly Indexed<EnrichedReading>[]) {
    const chunks = chunk(readings, store.maxBatchSize);
    const results = await Promise.allSettled(chunks.map((part) => store.write(part.map(({ value }) => value))));
    metrics.addMetric(METRIC.writeRecordsCalls, MetricUnit.Count, chunks.length);
    const stored: EnrichedReading[] = [];
    const refused: Indexed<StoreRejection>[] = [];
    const retry: number[] = [];
    for (const [position, result] of results.entries()) {
      const part = chunks[position] ?? [];
      if (result.status === "rejected") {
        logger.error("store write failed, the readings will be retried", {
          readings: part.length,
          error: result.reason,
        });
        retry.push(...part.map(({ index }) => index));
        continue;
      }
      const refusedPositions = new Map(result.value.rejected.map((rejection) => [rejection.index, rejection]));
      const unwritten = new Set(result.value.unwritten);
      for (const [inChunk, { index, message, value }] of part.entries()) {
        const rejection = refusedPositions.get(inChunk);
        if (unwritten.has(inChunk)) retry.push(index);
        else if (rejection === undefined) stored.push(value);
        else refused.push({ index, message, value: rejection });
      }
      if (unwritten.size > 0) {
        logger.warn("the store could not take some readings now; they will be delivered again", {
          readings: unwritten.size,
        });
      }
    }
    return { stored, refused, retry };
  }

  async function quarantineAll(entries: readonly Indexed<QuarantineEntry>[]): Promise<boolean> {
    if (entries.length === 0) return true;
    for (const { value } of entries) {
      logger.warn("reading quarantined", {
        sensorId: value.sensorId,
        reason: value.reason,
        detail: value.detail,
        topic: value.topic,
      });
    }
    try {
      await quarantine.put(entries.map(({ value }) => value));
      return true;
    } catch (error) {
      logger.error("quarantine write failed, the rejected readings will be retried", {
        readings: entries.length,
        error,
      });
      return false;
    }
  }

  async function notify(target: StoredReadingsListener, readings: readonly EnrichedReading[]): Promise<void> {
    try {
      await target.onStored(readings);
    } catch (error) {
      // Alerting is downstream of storage: its failure is reported, never retried as a storage failure.
      logger.error("stored-readings listener failed", { readings: readings.length, error });
      metrics.addMetric(METRIC.alertPublishFailures, MetricUnit.Count, 1);
    }
  }

  function recordMetrics(
    received: number,
    stored: readonly EnrichedReading[],
    quarantined: readonly Indexed<QuarantineEntry>[],
    refusedByStore: number,
    startedAt: number,
  ): void {
    const finishedAt = clock.now();
    metrics.addMetric(METRIC.readingsReceived, MetricUnit.Count, received);
    metrics.addMetric(METRIC.readingsStored, MetricUnit.Count, stored.length);
    metrics.addMetric(METRIC.readingsQuarantined, MetricUnit.Count, quarantined.length);
    metrics.addMetric(METRIC.recordsRejectedByStore, MetricUnit.Count, refusedByStore);
    for (const reading of stored) {
      metrics.addMetric(METRIC.ingestLatency, MetricUnit.Milliseconds, reading.receivedAt - reading.timestamp);
      metrics.addMetric(METRIC.processingLatency, MetricUnit.Milliseconds, finishedAt - reading.receivedAt);
    }
    metrics.addMetric(METRIC.batchDuration, MetricUnit.Milliseconds, finishedAt - startedAt);
    for (const [reason, count] of countByReason(quarantined)) {
      const byReason = metrics.singleMetric();
      byReason.addDimension(REASON_DIMENSION, reason);
      byReason.addMetric(METRIC.readingsQuarantined, MetricUnit.Count, count);
    }
  }
}

/**
 * The most of a payload the quarantine keeps: eight times the largest reading, and more than IoT
 * Core carries (128 KB), so only a local broker's oversized publish is cut.
 */
export const MAX_QUARANTINED_PAYLOAD_BYTES = 64 * 1024;

/**
 * Keeps the payload as text when it is UTF-8, otherwise base64; whole up to
 * MAX_QUARANTINED_PAYLOAD_BYTES, beyond that its first bytes, with its size and SHA-256 in the
 * detail, so that a 100 MB publish cannot grow the quarantine by 100 MB.
 */
function toQuarantineEntry(message: InboundMessage, rejection: Rejection): QuarantineEntry {
  const sensorId = sensorIdFromTopic(message.topic);
  const size = message.payload.byteLength;
  const cut = size > MAX_QUARANTINED_PAYLOAD_BYTES;
  const kept = cut ? message.payload.subarray(0, MAX_QUARANTINED_PAYLOAD_BYTES) : message.payload;
  const sha256 = cut ? createHash("sha256").update(message.payload).digest("hex") : "";
  return {
    reason: rejection.reason,
    detail: cut
      ? `${rejection.detail}; kept the first ${MAX_QUARANTINED_PAYLOAD_BYTES} of ${size} bytes, sha256 ${sha256}`
      : rejection.detail,
    topic: message.topic,
    ...(sensorId === undefined ? {} : { sensorId }),
    receivedAt: new Date(message.receivedAt).toISOString(),
    ...encodePayload(kept),
  };
}

function encodePayload(payload: Uint8Array): Pick<QuarantineEntry, "payload" | "payloadEncoding"> {
  const text = decodeUtf8(payload);
  return text === undefined
    ? { payload: Buffer.from(payload).toString("base64"), payloadEncoding: "base64" }
    : { payload: text, payloadEncoding: "utf8" };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

function countByReason(entries: readonly Indexed<QuarantineEntry>[]): Map<ReasonCode, number> {
  const counts = new Map<ReasonCode, number>();
  for (const { value } of entries) counts.set(value.reason, (counts.get(value.reason) ?? 0) + 1);
  return counts;
}
