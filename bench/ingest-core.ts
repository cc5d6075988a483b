/**
 * 1. The ingest core's per-reading path (parse, validate, enrich, map to a Timestream record) on
 * one core, against bare JSON.parse of the same bytes, on realistic and on mixed bad payloads.
 */

import { makeReadingRecordMapper } from "../lambdas/aws/timestream/records.js";
import type { InboundMessage } from "../lambdas/core/reading.js";
import { telemetryTopic } from "../lambdas/core/topics.js";
import { validateMessage } from "../lambdas/core/validate.js";
import { REGISTRY } from "../lib/config/sensors.js";
import { encodeReading, FAULT_KINDS } from "../local/simulator/faults.js";
import { seededRandom } from "../local/simulator/random.js";
import { recentMessages } from "./lib/fleet-messages.js";
import { MAX_READING_AGE_MS } from "./lib/lambda-env.js";
import { type Figure, formatNumber, formatRatio, progress } from "./lib/report.js";
import { median, runSection, timeNs } from "./lib/section.js";

const toTimestreamRecord = makeReadingRecordMapper();

const MESSAGES = 10_000;
const MIN_READINGS_PER_S = 300_000;
const MAX_COST_VS_JSON_PARSE = 4;

const now = Date.now();
const context = { registry: REGISTRY, now, maxReadingAgeMs: MAX_READING_AGE_MS };

/** Every reason code a sensor can cause, in equal parts, between good readings (half of all). */
function mixedBadMessages(good: readonly InboundMessage[]): InboundMessage[] {
  const random = seededRandom(7);
  const spoilers: ((message: InboundMessage) => InboundMessage)[] = [
    ...FAULT_KINDS.filter((kind) => kind !== "duplicate").map((kind) => (message: InboundMessage) => {
      const [spoilt] = encodeReading(JSON.parse(message.payload.toString()), kind, REGISTRY, random);
      return spoilt === undefined ? message : { ...message, topic: spoilt.topic, payload: spoilt.payload };
    }),
    (message) => ({ ...message, payload: Buffer.from("[1,2,3]") }),
    (message) => reshape(message, ({ co2: _co2, ...rest }) => rest),
    (message) => reshape(message, (fields) => ({ ...fields, pm25: String(fields.pm25) })),
    (message) => ({ ...message, topic: telemetryTopic("SENS002") }),
    (message) => reshape(message, (fields) => ({ ...fields, timestamp: new Date(now + 3_600_000).toISOString() })),
  ];
  return good.map((message, index) =>
    index % 2 === 0 ? message : (spoilers[(index >> 1) % spoilers.length] ?? ((same) => same))(message),
  );
}

function reshape(
  message: InboundMessage,
  change: (fields: Record<string, unknown>) => Record<string, unknown>,
): InboundMessage {
  return { ...message, payload: Buffer.from(JSON.stringify(change(JSON.parse(message.payload.toString())))) };
}

/** Every result feeds it, so that the JIT cannot drop work whose result goes unused. */
let sink = 0;

function ingestPath(messages: readonly InboundMessage[]): void {
  for (const message of messages) {
    const result = validateMessage(message, context);
    sink += result.ok ? toTimestreamRecord(result.reading).MeasureValues.length : result.rejection.reason.length;
  }
}

/** The payloads as MQTT delivers them, Buffers, so that the baseline decodes without a copy. */
const asText = (payload: Uint8Array): string =>
  Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8");

function bareJsonParse(messages: readonly InboundMessage[]): void {
  for (const message of messages) {
    try {
      sink += JSON.parse(asText(message.payload)) === null ? 0 : 1;
    } catch {
      sink += 2;
    }
  }
}

/** Readings per second of each path: rounds alternate between them, the median round counts. */
function race(messages: readonly InboundMessage[], quick: boolean): { path: number; baseline: number } {
  const rounds = quick ? 5 : 15;
  const passes = quick ? 5 : 20;
  const run = (work: (batch: readonly InboundMessage[]) => void) =>
    timeNs(() => {
      for (let pass = 0; pass < passes; pass++) work(messages);
    });
  for (let warm = 0; warm < 3; warm++) {
    run(ingestPath);
    run(bareJsonParse);
  }
  const pathTimes: number[] = [];
  const baselineTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    pathTimes.push(run(ingestPath));
    baselineTimes.push(run(bareJsonParse));
  }
  const perSecond = (ns: number) => (messages.length * passes * 1e9) / ns;
  return { path: perSecond(median(pathTimes)), baseline: perSecond(median(baselineTimes)) };
}

function row(id: string, what: string, rates: { path: number; baseline: number }): Figure {
  const cost = rates.baseline / rates.path;
  return {
    id,
    measure: `ingest core per reading (parse, validate, enrich, map), ${what}, one core`,
    value: `${formatNumber(rates.path)} readings/s`,
    baseline: `JSON.parse of the same bytes: ${formatNumber(rates.baseline)}/s`,
    ratio: `${formatRatio(cost)} the cost of JSON.parse`,
    bar: `>= ${formatNumber(MIN_READINGS_PER_S)}/s and <= ${MAX_COST_VS_JSON_PARSE}x`,
    met: rates.path >= MIN_READINGS_PER_S && cost <= MAX_COST_VS_JSON_PARSE,
  };
}

runSection(async (quick) => {
  const realistic = recentMessages(MESSAGES, 1, now);
  const mixed = mixedBadMessages(realistic);
  progress("1. ingest core: realistic payloads");
  const realisticRates = race(realistic, quick);
  progress("1. ingest core: mixed bad payloads");
  const mixedRates = race(mixed, quick);
  if (sink === 0) throw new Error("nothing was computed");
  return [row("1a", "realistic payloads", realisticRates), row("1b", "half bad (every reason code)", mixedRates)];
});
