/**
 * The roll-ups on the DynamoDB store, wired as their Lambda entries wire them, on a mocked
 * client: one key-range Query per sensor (never a Scan), aggregates put 25 a call with what
 * DynamoDB leaves unprocessed sent again, the zone roll-up reading an hour with one Query.
 */
import {
  BatchWriteItemCommand,
  type BatchWriteItemCommandInput,
  DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  makeDynamoDbBinSource,
  makeDynamoDbHourlySource,
  makeDynamoDbHourlyWriter,
  makeDynamoDbZoneWriter,
} from "../../lambdas/aws/dynamodb/aggregates.js";
import { HOUR_MS } from "../../lambdas/core/time.js";
import { makeHourlyRollup } from "../../lambdas/use-cases/hourly-rollup.js";
import { makeZoneRollup } from "../../lambdas/use-cases/zone-rollup.js";
import { REGISTRY, SENSORS } from "../../lib/config/sensors.js";
import { fakeMetrics, silentLogger } from "../fixtures/fakes.js";

const dynamodb = mockClient(DynamoDBClient);
const H10 = Date.parse("2026-11-28T10:00:00Z");
const RUN_AT = H10 + HOUR_MS + 5 * 60_000;
const noPublisher = {
  publishHourly: async () => undefined,
  publishZones: async () => undefined,
  publishDaily: async () => undefined,
};

/** Readings of SENS001 in the 10:00 hour: pm25 10, 20 and 30. */
const SENS001_READINGS = [10, 20, 30].map((pm25, minute) =>
  marshall({ timestamp: H10 + minute * 60_000, pm25, temperature: 30, humidity: 70, co2: 600 }),
);

function hourlyRollup(options: { attempts?: number } = {}) {
  const client = new DynamoDBClient({ region: "eu-west-1" });
  return makeHourlyRollup({
    registry: REGISTRY,
    bins: makeDynamoDbBinSource({ client, table: "readings", registry: REGISTRY }),
    writer: makeDynamoDbHourlyWriter({ client, table: "aggregates" }, { retryDelayMs: 0, ...options }),
    hourly: makeDynamoDbHourlySource({ client, table: "aggregates" }),
    publisher: noPublisher,
    alerting: {
      rules: [],
      states: { load: async () => ({ states: {}, version: null }), save: async () => undefined },
      sink: { publish: async () => undefined },
    },
    clock: { now: () => RUN_AT },
    logger: silentLogger(),
    metrics: fakeMetrics().metrics,
  });
}

const queries = () => dynamodb.commandCalls(QueryCommand).map((call) => call.args[0].input);
const batchWrites = () => dynamodb.commandCalls(BatchWriteItemCommand).map((call) => call.args[0].input);
const H10_PARTITION = "sensor_hour#2026-11-28T10:00:00.000Z";
/** A Query answer with `items` for one partition of the aggregates table and nothing for the others. */
const onlyPartition = (partition: string, items: QueryCommandOutput["Items"]) => (input: QueryCommandInput) => ({
  Items: input.ExpressionAttributeValues?.[":partition"]?.S === partition ? items : [],
});

const putItems = (input: BatchWriteItemCommandInput | undefined) =>
  (input?.RequestItems?.aggregates ?? []).map((request) => unmarshall(request.PutRequest?.Item ?? {}));

beforeEach(() => {
  dynamodb.reset();
  dynamodb.on(QueryCommand).callsFake((input: QueryCommandInput) => ({
    Items: input.ExpressionAttributeValues?.[":sensor"]?.S === "SENS001" ? SENS001_READINGS : [],
  }));
  dynamodb.on(BatchWriteItemCommand).resolves({ UnprocessedItems: {} });
});

describe("the hourly roll-up on DynamoDB", () => {
  it("reads each registry sensor's hour with one key-range Query and no Scan, and writes its bins", async () => {
    const result = await hourlyRollup()({ hour: new Date(H10).toISOString() });

    expect(result.rowsWritten).toBe(SENSORS.length);
    const readingQueries = queries().filter((input) => input.TableName === "readings");
    expect(readingQueries.map((input) => input.ExpressionAttributeValues?.[":sensor"]?.S).sort()).toEqual(
      SENSORS.map((sensor) => sensor.sensorId).sort(),
    );
    // The NowCast's 11 earlier hours: one Query of each hour's partition of the aggregates.
    expect(
      queries()
        .filter((input) => input.TableName === "aggregates")
        .map((input) => input.ExpressionAttributeValues?.[":partition"]?.S),
    ).toHaveLength(11);
    for (const input of readingQueries) {
      expect(input).toMatchObject({
        TableName: "readings",
        KeyConditionExpression: "sensor_id = :sensor AND #time BETWEEN :from AND :to",
        // From the hour before: the neighbours of the hour's first readings, for their quality flags.
        ExpressionAttributeValues: expect.objectContaining({
          ":from": { N: String(H10 - HOUR_MS) },
          ":to": { N: String(H10 + HOUR_MS - 1) },
        }),
      });
    }
    expect(dynamodb.commandCalls(ScanCommand)).toEqual([]);
    const rows = batchWrites().flatMap(putItems);
    expect(rows.find((row) => row.sensor_id === "SENS001")).toMatchObject({
      pk: "sensor_hour#2026-11-28T10:00:00.000Z",
      sk: "SENS001",
      readings: 3,
      pm25_count: 3,
      pm25_sum: 60,
      pm25_min: 10,
      pm25_max: 30,
      version: RUN_AT,
    });
  });

  it("writes a row for every sensor of an hour in which none spoke: readings 0, no min or max", async () => {
    dynamodb.on(QueryCommand).resolves({ Items: [] });

    await hourlyRollup()({ hour: new Date(H10).toISOString() });

    const rows = batchWrites().flatMap(putItems);
    expect(rows).toHaveLength(SENSORS.length);
    expect(rows.every((row) => row.readings === 0 && row.pm25_min === null && row.pm25_count === 0)).toBe(true);
  });

  it("puts 25 rows a call, and sends again what DynamoDB left unprocessed", async () => {
    const hours = 6;
    dynamodb
      .on(BatchWriteItemCommand)
      .callsFakeOnce((input: BatchWriteItemCommandInput) => ({
        UnprocessedItems: { aggregates: (input.RequestItems?.aggregates ?? []).slice(0, 2) },
      }))
      .resolves({ UnprocessedItems: {} });

    const result = await hourlyRollup()({
      from: new Date(H10 - (hours - 1) * HOUR_MS).toISOString(),
      to: new Date(H10 + HOUR_MS).toISOString(),
    });

    expect(result.rowsWritten).toBe(SENSORS.length * hours);
    expect(batchWrites().map((input) => input.RequestItems?.aggregates?.length)).toEqual([25, 2, 5]);
  });

  it("fails the run when DynamoDB keeps items unprocessed, so that its schedule retries it", async () => {
    dynamodb.on(BatchWriteItemCommand).callsFake((input: BatchWriteItemCommandInput) => ({
      UnprocessedItems: input.RequestItems,
    }));

    await expect(hourlyRollup({ attempts: 3 })({ hour: new Date(H10).toISOString() })).rejects.toThrow(/unprocessed/);
    expect(batchWrites()).toHaveLength(3);
  });
});

function zoneRollup() {
  const client = new DynamoDBClient({ region: "eu-west-1" });
  return makeZoneRollup({
    hourly: makeDynamoDbHourlySource({ client, table: "aggregates" }),
    writer: makeDynamoDbZoneWriter({ client, table: "aggregates" }),
    publisher: noPublisher,
    clock: { now: () => RUN_AT },
    logger: silentLogger(),
    metrics: fakeMetrics().metrics,
  });
}

describe("the zone roll-up on DynamoDB", () => {
  it("rolls up an hour in which no sensor spoke from the rows the hourly roll-up wrote for it", async () => {
    dynamodb.on(QueryCommand).resolves({ Items: [] });
    await hourlyRollup()({ hour: new Date(H10).toISOString() });
    const silentHour = batchWrites().flatMap((input) =>
      (input.RequestItems?.aggregates ?? []).flatMap((request) =>
        request.PutRequest?.Item === undefined ? [] : [request.PutRequest.Item],
      ),
    );
    dynamodb.reset();
    dynamodb.on(QueryCommand).callsFake(onlyPartition(H10_PARTITION, silentHour));
    dynamodb.on(BatchWriteItemCommand).resolves({ UnprocessedItems: {} });

    const result = await zoneRollup()({ hour: new Date(H10).toISOString() });

    const zones = new Set(SENSORS.map((sensor) => sensor.zone));
    expect(result.rowsWritten).toBe(zones.size);
    const rows = batchWrites().flatMap(putItems);
    const byZone = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    expect(rows.map((row) => [row.zone, row.sensors, row.active_sensors, row.readings, row.aqi]).sort(byZone)).toEqual(
      [...zones].map((zone) => [zone, SENSORS.filter((s) => s.zone === zone).length, 0, 0, null]).sort(byZone),
    );
  });

  it("reads each hour's sensor rows with one Query of its partition, and writes one row per zone", async () => {
    const hourlyRows = SENSORS.map((sensor) =>
      marshall({
        pk: "sensor_hour#2026-11-28T10:00:00.000Z",
        sk: sensor.sensorId,
        sensor_id: sensor.sensorId,
        location_name: sensor.locationName,
        zone: sensor.zone,
        city: sensor.city,
        hour_start: H10,
        readings: 60,
        expected_readings: 60,
        completeness: 1,
        pm25_count: 60,
        pm25_sum: 60 * 12,
        pm25_min: 5,
        pm25_max: 20,
        temperature_count: 60,
        temperature_sum: 60 * 30,
        temperature_min: 29,
        temperature_max: 31,
        humidity_count: 60,
        humidity_sum: 60 * 70,
        humidity_min: 60,
        humidity_max: 80,
        co2_count: 60,
        co2_sum: 60 * 600,
        co2_min: 500,
        co2_max: 700,
        version: 1,
      }),
    );
    dynamodb.on(QueryCommand).callsFake(onlyPartition(H10_PARTITION, hourlyRows));

    const result = await zoneRollup()({ hour: new Date(H10).toISOString() });

    // The hour's partition, and the 11 before it for each zone's NowCast.
    expect(queries()).toEqual(
      Array.from({ length: 12 }, (_, index) => ({
        TableName: "aggregates",
        KeyConditionExpression: "pk = :partition",
        ExpressionAttributeValues: {
          ":partition": { S: `sensor_hour#${new Date(H10 - (11 - index) * HOUR_MS).toISOString()}` },
        },
      })),
    );
    const zones = new Set(SENSORS.map((sensor) => sensor.zone));
    expect(result.rowsWritten).toBe(zones.size);
    const rows = batchWrites().flatMap(putItems);
    expect(rows.map((row) => row.pk)).toEqual([...zones].map(() => "zone_hour#2026-11-28T10:00:00.000Z"));
    expect(rows.every((row) => row.readings === 60 * SENSORS.filter((s) => s.zone === row.zone).length)).toBe(true);
  });
});
