/**
 * 2. Store efficiency. Timestream: WriteRecords calls and records for 10,000 valid readings
 * through the real ingest handler (SQS batches of the deployed size) on a counting mocked client,
 * against one call per reading. DynamoDB: write calls of the same readings against one PutItem a
 * reading, and the read units the hourly roll-up's key-range Queries consume per sensor-hour on a
 * month of readings, against a Scan of the table.
 */

import { DynamoDBClient, QueryCommand, type QueryCommandInput } from "@aws-sdk/client-dynamodb";
import {
  TimestreamWriteClient,
  WriteRecordsCommand,
  type WriteRecordsCommandInput,
} from "@aws-sdk/client-timestream-write";
import { mockClient } from "aws-sdk-client-mock";
import { makeDynamoDbBinSource } from "../lambdas/aws/dynamodb/aggregates.js";
import { readingItem } from "../lambdas/aws/dynamodb/items.js";
import { createDynamoDbReadingStore } from "../lambdas/aws/dynamodb/readings.js";
import { makeSqsIngestHandler } from "../lambdas/aws/sqs-batch.js";
import { createTimestreamStore } from "../lambdas/aws/timestream/store.js";
import { HOUR_MS, MINUTE_MS } from "../lambdas/core/time.js";
import { validateMessage } from "../lambdas/core/validate.js";
import type { ReadingStore } from "../lambdas/ports.js";
import { makeIngest } from "../lambdas/use-cases/ingest.js";
import { REGISTRY } from "../lib/config/sensors.js";
import { INGESTION_DEFAULTS } from "../lib/constructs/ingestion-defaults.js";
import { fakeReadingsTable } from "../test/fixtures/fake-dynamodb.js";
import { readUnits } from "./lib/dynamodb-units.js";
import { fleetMessages, recentMessages, sqsEvents } from "./lib/fleet-messages.js";
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

/** The same readings through the handler into an in-memory DynamoDB readings table. */
async function countDynamoDbWrites(storeFor: (base: ReadingStore) => ReadingStore) {
  const table = fakeReadingsTable();
  const clock = { now: () => now };
  const store = createDynamoDbReadingStore({
    client: new DynamoDBClient({
      region: "eu-west-1",
      credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    }),
    table: "readings",
    retentionMs: MAX_READING_AGE_MS,
  });
  const ingest = makeIngest({
    registry: REGISTRY,
    store: storeFor(store),
    quarantine: { put: async () => undefined },
    clock,
    maxReadingAgeMs: MAX_READING_AGE_MS,
    logger: silentLogger,
    metrics: silentMetrics,
  });
  const handler = makeSqsIngestHandler(ingest, clock);
  for (const event of sqsEvents(recentMessages(READINGS, 2, now), INGESTION_DEFAULTS.batchSize)) await handler(event);
  const calls = table.transactions().length;
  table.client.restore();
  if (table.items.size !== READINGS) throw new Error(`${table.items.size} of ${READINGS} readings stored`);
  return { calls };
}

/** Sensor-hours the scheduled hourly roll-up covers: the last hour and the two before. */
const ROLLUP_HOURS = 3;
const RETENTION_DAYS = 30;

/**
 * Read units of one scheduled hourly roll-up on a month of the registry's readings at one a
 * minute: the bin source's own Queries answered from the items, against a Scan of them all.
 */
async function rollupReadUnits() {
  const hourEnd = Math.floor(now / HOUR_MS) * HOUR_MS;
  const readings = RETENTION_DAYS * 24 * 60;
  const items = fleetMessages(readings * REGISTRY.size, {
    seed: 3,
    receivedAt: now,
    timeOf: (index) => hourEnd - Math.floor(index / REGISTRY.size + 1) * MINUTE_MS,
  }).flatMap((message) => {
    const result = validateMessage(message, { registry: REGISTRY, now, maxReadingAgeMs: MAX_READING_AGE_MS });
    return result.ok ? [readingItem(result.reading, MAX_READING_AGE_MS)] : [];
  });
  const client = new DynamoDBClient({
    region: "eu-west-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  });
  const mock = mockClient(client);
  let queryUnits = 0;
  mock.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const sensorId = input.ExpressionAttributeValues?.[":sensor"]?.S;
    const from = Number(input.ExpressionAttributeValues?.[":from"]?.N);
    const to = Number(input.ExpressionAttributeValues?.[":to"]?.N);
    const found = items.filter((item) => {
      const time = Number(item.timestamp?.N);
      return item.sensor_id?.S === sensorId && time >= from && time <= to;
    });
    queryUnits += readUnits(found);
    return { Items: found };
  });
  const bins = await makeDynamoDbBinSource({ client, table: "readings", registry: REGISTRY }).bins({
    from: hourEnd - ROLLUP_HOURS * HOUR_MS,
    to: hourEnd,
  });
  mock.restore();
  if (bins.length !== REGISTRY.size * ROLLUP_HOURS) throw new Error(`${bins.length} sensor-hours binned`);
  // A Scan reads every item of the table, 1 MB a page.
  const scanUnits = readUnits(items);
  const sensorHours = REGISTRY.size * ROLLUP_HOURS;
  return { perSensorHour: queryUnits / sensorHours, scanPerSensorHour: scanUnits / sensorHours, items: items.length };
}

runSection(async () => {
  progress("2. store efficiency: ingest handler on a counting Timestream client");
  const batched = await countWrites((store) => store);
  const naive = await countWrites((store) => ({ ...store, maxBatchSize: 1 }));
  progress("2. store efficiency: ingest handler on an in-memory DynamoDB table, and the roll-up's read units");
  const dynamoDb = await countDynamoDbWrites((store) => store);
  const dynamoDbNaive = await countDynamoDbWrites((store) => ({ ...store, maxBatchSize: 1 }));
  const reads = await rollupReadUnits();
  const callsPer100 = (calls: number) => (calls * 100) / READINGS;
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
    {
      id: "2c",
      measure: `DynamoDB write calls per 100 readings (${formatNumber(READINGS)} readings; conditional TransactWriteItems, 2 write units an item)`,
      value: `${formatNumber(callsPer100(dynamoDb.calls), 1)} calls per 100 readings`,
      baseline: `a write call per reading (PutItem): ${formatNumber(callsPer100(dynamoDbNaive.calls), 1)} per 100`,
      ratio: `${formatRatio(dynamoDbNaive.calls / dynamoDb.calls)} fewer calls`,
      bar: "1 call per 100 readings",
      met: callsPer100(dynamoDb.calls) <= 1,
    },
    {
      id: "2d",
      measure: `DynamoDB read units per sensor-hour of the scheduled hourly roll-up (${formatNumber(reads.items)} readings: ${RETENTION_DAYS} days of the registry at one a minute)`,
      value: `${formatNumber(reads.perSensorHour, 2)} read units`,
      baseline: `a Scan of the table: ${formatNumber(reads.scanPerSensorHour, 1)} read units`,
      ratio: `${formatRatio(reads.scanPerSensorHour / reads.perSensorHour)} fewer units`,
      bar: "",
      met: null,
    },
  ];
});
