/**
 * 2. Store efficiency: WriteRecords calls and records for 10,000 valid readings through the real
 * ingest handler (SQS batches of the deployed size) on a counting mocked Timestream client,
 * against the naive design of one call per reading.
 */
import { TimestreamWriteClient, WriteRecordsCommand } from "@aws-sdk/client-timestream-write";
import { mockClient } from "aws-sdk-client-mock";
import { createTimestreamStore } from "../lambdas/aws/timestream-store.js";
import { makeIngestHandler } from "../lambdas/handlers/ingest.js";
import type { HandlerMetrics, ReadingStore } from "../lambdas/ports.js";
import { REGISTRY } from "../lib/config/sensors.js";
import { INGESTION_DEFAULTS } from "../lib/constructs/ingestion-defaults.js";
import { type Figure, formatNumber, formatRatio, progress } from "./lib/report.js";
import { runSection } from "./lib/section.js";
import { sqsEvents } from "./lib/sqs-events.js";

const READINGS = 10_000;
const MEASURES_PER_READING = 4;
const now = Date.now();

const silentMetrics: HandlerMetrics = {
  addMetric: () => undefined,
  publishStoredMetrics: () => undefined,
  singleMetric: () => ({ addMetric: () => undefined, addDimension: () => undefined }),
};
const silentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Sends every event through the handler and counts what reached WriteRecords. */
async function countWrites(storeFor: (base: ReadingStore) => ReadingStore) {
  const client = new TimestreamWriteClient({
    region: "eu-west-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  });
  const mock = mockClient(client);
  let calls = 0;
  let records = 0;
  mock.on(WriteRecordsCommand).callsFake((input: { Records?: unknown[] }) => {
    calls++;
    records += input.Records?.length ?? 0;
    return {};
  });
  const handler = makeIngestHandler({
    registry: REGISTRY,
    store: storeFor(createTimestreamStore({ client, database: "kaikai", table: "measurements", logger: silentLogger })),
    quarantine: {
      put: async (entries) => {
        if (entries.length > 0) throw new Error(`${entries.length} valid readings were quarantined`);
      },
    },
    clock: { now: () => now },
    maxReadingAgeMs: 30 * 86_400_000,
    logger: silentLogger,
    metrics: silentMetrics,
  });
  let retried = 0;
  for (const event of sqsEvents(READINGS, INGESTION_DEFAULTS.batchSize, now)) {
    retried += (await handler(event)).batchItemFailures.length;
  }
  mock.restore();
  if (retried > 0) throw new Error(`${retried} readings were not stored`);
  return { calls, records };
}

runSection(async () => {
  progress("2. store efficiency: ingest handler on a counting Timestream client");
  const batched = await countWrites((store) => store);
  const naive = await countWrites((store) => ({ ...store, maxBatchSize: 1 }));
  const perCall = READINGS / batched.calls;
  const recordsPerReading = batched.records / READINGS;
  return [
    {
      id: "2a",
      measure: `WriteRecords calls for ${formatNumber(READINGS)} valid readings (SQS batches of ${INGESTION_DEFAULTS.batchSize})`,
      value: `${formatNumber(batched.calls)} calls, ${formatNumber(perCall)} readings/call`,
      baseline: `one call per reading: ${formatNumber(naive.calls)} calls`,
      ratio: `${formatRatio(naive.calls / batched.calls)} fewer calls`,
      bar: "100 readings/call",
      met: perCall >= 100,
    },
    {
      id: "2b",
      measure: "Timestream records per reading (multi-measure)",
      value: `${formatNumber(batched.records)} records, ${recordsPerReading} per reading`,
      baseline: `one record per measure: ${formatNumber(READINGS * MEASURES_PER_READING)} records`,
      ratio: `${formatRatio((READINGS * MEASURES_PER_READING) / batched.records)} fewer records`,
      bar: "1 record/reading",
      met: recordsPerReading === 1,
    } satisfies Figure,
  ];
});
