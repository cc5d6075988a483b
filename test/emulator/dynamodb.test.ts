/**
 * The DynamoDB store's adapters with real SDK clients against the emulator at AWS_ENDPOINT_URL:
 * readings through an SQS queue into the readings table by conditional transactions, a replay
 * and a conflicting re-send, then the hourly roll-up's key-range Queries and its aggregates, and
 * the zone roll-up reading those back.
 */
import { GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import {
  makeDynamoDbBinSource,
  makeDynamoDbHourlySource,
  makeDynamoDbHourlyWriter,
  makeDynamoDbZoneWriter,
} from "../../lambdas/aws/dynamodb/aggregates.js";
import { createDynamoDbReadingStore } from "../../lambdas/aws/dynamodb/readings.js";
import type { SqsIngestHandler } from "../../lambdas/aws/sqs-batch.js";
import { toEnvelopeBody } from "../../lambdas/aws/topic-rule-envelope.js";
import { QUARANTINE_PREFIX } from "../../lambdas/bindings/resources.js";
import type { InboundMessage } from "../../lambdas/core/reading.js";
import { DAY_MS, HOUR_MS, hourStartOf, MINUTE_MS } from "../../lambdas/core/time.js";
import { makeHourlyRollup } from "../../lambdas/use-cases/hourly-rollup.js";
import { makeZoneRollup } from "../../lambdas/use-cases/zone-rollup.js";
import { REGISTRY, SENSORS } from "../../lib/config/sensors.js";
import { goodPayload, messageOf } from "../fixtures/telemetry.js";
import {
  createBucket,
  createDynamoDbTables,
  dynamoDbClient,
  emulatorIngestHandler,
  quietObservability,
  readObjects,
} from "./aws-emulator.js";
import { deliverThroughQueue } from "./lambda-event.js";

/** The last complete hour, and readings in it as a live fleet sends them. */
const HOUR = hourStartOf(Date.now()) - HOUR_MS;
const RECEIVED_AT = HOUR + 50 * MINUTE_MS;
const at = (minute: number): string => new Date(HOUR + minute * MINUTE_MS).toISOString();
const READINGS = [
  goodPayload({ sensor_id: "SENS001", timestamp: at(1), pm25: 10 }),
  goodPayload({ sensor_id: "SENS001", timestamp: at(2), pm25: 20 }),
  goodPayload({ sensor_id: "SENS002", timestamp: at(3), pm25: 8.5, battery: 87, firmware: "2.4.1" }),
  goodPayload({ sensor_id: "SENS004", timestamp: at(4), pm25: 40 }),
];
const messages = (payloads: readonly Record<string, unknown>[], receivedAt = RECEIVED_AT): InboundMessage[] =>
  payloads.map((payload) => messageOf(payload, { receivedAt }));

describe("the DynamoDB store against the emulator", () => {
  let tables: { readings: string; aggregates: string };
  let bucket: string;
  let runIngest: (messages: readonly InboundMessage[]) => ReturnType<SqsIngestHandler>;
  const client = dynamoDbClient();
  const stored = async (sensorId: string, timestamp: string) =>
    (
      await client.send(
        new GetItemCommand({
          TableName: tables.readings,
          Key: { sensor_id: { S: sensorId }, timestamp: { N: String(Date.parse(timestamp)) } },
        }),
      )
    ).Item;

  beforeAll(async () => {
    tables = await createDynamoDbTables();
    bucket = await createBucket();
    const store = createDynamoDbReadingStore({ client, table: tables.readings, retentionMs: 30 * DAY_MS });
    const clock = { now: () => RECEIVED_AT + 1000 };
    const handler = emulatorIngestHandler({ database: "", table: "", bucket, clock, store, ...quietObservability() });
    runIngest = async (batch) => handler(await deliverThroughQueue(batch.map(toEnvelopeBody)));
  });

  it("stores each reading as one item with the contract's field names, and retries nothing", async () => {
    expect(await runIngest(messages(READINGS))).toEqual({ batchItemFailures: [] });

    const item = await stored("SENS002", at(3));
    expect(item === undefined ? undefined : unmarshall(item)).toEqual({
      sensor_id: "SENS002",
      timestamp: Date.parse(at(3)),
      pm25: 8.5,
      temperature: 29.1,
      humidity: 71,
      co2: 612,
      battery: 87,
      firmware: "2.4.1",
      location_name: "Dakar - Almadies",
      zone: "Residential",
      city: "Dakar",
      received_at: RECEIVED_AT,
      expires_at: Math.floor((Date.parse(at(3)) + 30 * DAY_MS) / 1000),
      // Beside the raw value: 0.524 x 8.5 - 0.0862 x 71 + 5.75, its formula, the ingest flags.
      pm25_corrected: 4.08,
      correction: "epa_barkjohn_2022@1",
      quality_flags: [],
    });
    const sens001 = await client.send(
      new QueryCommand({
        TableName: tables.readings,
        KeyConditionExpression: "sensor_id = :s",
        ExpressionAttributeValues: { ":s": { S: "SENS001" } },
      }),
    );
    expect(sens001.Items?.map((found) => unmarshall(found).pm25)).toEqual([10, 20]);
  });

  it("takes a replayed batch without writing anything new or quarantining it", async () => {
    expect(await runIngest(messages(READINGS, RECEIVED_AT + 5000))).toEqual({ batchItemFailures: [] });

    const item = await stored("SENS001", at(1));
    expect(item === undefined ? undefined : unmarshall(item).received_at).toBe(RECEIVED_AT);
    expect(await readObjects(bucket, QUARANTINE_PREFIX)).toEqual([]);
  });

  it("quarantines a re-send with other values as conflicting_duplicate and keeps the first values", async () => {
    const resend = goodPayload({ sensor_id: "SENS004", timestamp: at(4), pm25: 999 });

    expect(await runIngest(messages([resend]))).toEqual({ batchItemFailures: [] });

    const item = await stored("SENS004", at(4));
    expect(item === undefined ? undefined : unmarshall(item).pm25).toBe(40);
    const [object] = await readObjects(bucket, QUARANTINE_PREFIX);
    const line = JSON.parse(object?.body.trim() ?? "{}") as { reason: string; detail: string };
    expect(line.reason).toBe("conflicting_duplicate");
    expect(line.detail).toContain("pm25 40 (sent 999)");
  });

  it("rolls the hour up by key-range Queries into the aggregates table, and the zones from those", async () => {
    const { logger, metrics } = quietObservability();
    const hour = { hour: new Date(HOUR).toISOString() };
    const runAt = HOUR + HOUR_MS + 5 * MINUTE_MS;
    const noPublisher = {
      publishHourly: async () => undefined,
      publishZones: async () => undefined,
      publishDaily: async () => undefined,
    };
    const hourly = await makeHourlyRollup({
      registry: REGISTRY,
      bins: makeDynamoDbBinSource({ client, table: tables.readings, registry: REGISTRY }),
      writer: makeDynamoDbHourlyWriter({ client, table: tables.aggregates }),
      hourly: makeDynamoDbHourlySource({ client, table: tables.aggregates }),
      publisher: noPublisher,
      alerting: {
        rules: [],
        states: { load: async () => ({ states: {}, version: null }), save: async () => undefined },
        sink: { publish: async () => undefined },
      },
      clock: { now: () => runAt },
      logger,
      metrics,
    })(hour);
    expect(hourly.rowsWritten).toBe(SENSORS.length);

    const rows = await makeDynamoDbHourlySource({ client, table: tables.aggregates }).hourly({
      from: HOUR,
      to: HOUR + HOUR_MS,
    });
    const sens001 = rows.find((row) => row.sensorId === "SENS001");
    expect(sens001).toMatchObject({ readings: 2, zone: "Urban" });
    expect(sens001?.measures.pm25).toEqual({ count: 2, sum: 30, min: 10, max: 20 });
    expect(rows.find((row) => row.sensorId === "SENS003")).toMatchObject({ readings: 0 });

    const zones = await makeZoneRollup({
      hourly: makeDynamoDbHourlySource({ client, table: tables.aggregates }),
      writer: makeDynamoDbZoneWriter({ client, table: tables.aggregates }),
      publisher: noPublisher,
      clock: { now: () => runAt + MINUTE_MS },
      logger,
      metrics,
    })(hour);
    expect(zones.latest?.ranking.map((zone) => [zone.zone, zone.pm25Mean])).toEqual([
      ["Residential", 8.5],
      ["Urban", 15],
      ["Commercial", 40],
    ]);
    const zoneItems = await client.send(
      new QueryCommand({
        TableName: tables.aggregates,
        KeyConditionExpression: "pk = :p",
        ExpressionAttributeValues: { ":p": { S: `zone_hour#${new Date(HOUR).toISOString()}` } },
      }),
    );
    expect(zoneItems.Items?.map((found) => unmarshall(found).sk).sort()).toEqual([
      "Commercial",
      "Residential",
      "Urban",
    ]);
  });
});
