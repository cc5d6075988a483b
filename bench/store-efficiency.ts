/**
 * 2. Store efficiency: WriteRecords calls and records for 10,000 valid readings through the real
 * ingest handler (SQS batches of the deployed size) on a counting mocked Timestream client,
 * against the naive design of one call per reading.
 */
import {
  TimestreamWriteClient,
  WriteRecordsCommand,
  type WriteRecordsCommandInput,
} from "@aws-sdk/client-timestream-write";
import { mockClient } from "aws-sdk-client-mock";
import { makeSqsIngestHandler } from "../lambdas/aws/sqs-batch.js";
import { createTimestreamStore } from "../lambdas/aws/timestream/store.js";
import type { ReadingStore } from "../lambdas/ports.js";
import { makeIngest } from "../lambdas/use-cases/ingest.js";
import { REGISTRY } from "../lib/config/sensors.js";
import { INGESTION_DEFAULTS } from "../lib/constructs/ingestion-defaults.js";
import { recentMessages, sqsEvents } from "./lib/fleet-messages.js";
import { MAX_READING_AGE_MS } from "./lib/lambda-env.js";
import { type Figure, formatNumber, formatRatio, progress } from "./lib/report.js";
import { runSection } from "./lib/section.js";
import { silentLogger, silentMetrics } from "./lib/silent-observability.js";

const READINGS = 10_000;
const now = Date.now();

/** Sends every event through the handler and counts what reached WriteRecords. */
async function countWrites(storeFor: (base: ReadingStore) => ReadingStore) {
  const client = new TimestreamWriteClient({
    region: "eu-west-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  });
  const mock = mockClient(client);
  let calls = 0;
  let records = 0;
  let measures = 0;
  mock.on(WriteRecordsCommand).callsFake((input: WriteRecordsCommandInput) => {
    calls++;
    for (const record of input.Records ?? []) {
      records++;
      // A single-measure record carries its one value outside MeasureValues.
      measures += record.MeasureValues?.length ?? 1;
    }
    return {};
  });
  const clock = { now: () => now };
  const ingest = makeIngest({
    registry: REGISTRY,
    store: storeFor(createTimestreamStore({ client, database: "kaikai", table: "measurements" })),
    quarantine: {
      put: async (entries) => {
        if (entries.length > 0) throw new Error(`${entries.length} valid readings were quarantined`);
      },
    },
    clock,
    maxReadingAgeMs: MAX_READING_AGE_MS,
    logger: silentLogger,
    metrics: silentMetrics,
  });
  const handler = makeSqsIngestHandler(ingest, clock);
  let retried = 0;
  for (const event of sqsEvents(recentMessages(READINGS, 2, now), INGESTION_DEFAULTS.batchSize)) {
    retried += (await handler(event)).batchItemFailures.length;
  }
  mock.restore();
  if (retried > 0) throw new Error(`${retried} readings were not stored`);
  return { calls, records, measures };
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
      baseline: `one record per measure: ${formatNumber(batched.measures)} records`,
      ratio: `${formatRatio(batched.measures / batched.records)} fewer records`,
      bar: "1 record/reading",
      met: recordsPerReading === 1,
    } satisfies Figure,
  ];
});
