/**
 * Each Lambda bundle, built as CDK builds it, loaded in a fresh process with its template
 * environment and called like Lambda calls it, against a fake AWS endpoint on 127.0.0.1.
 * This catches what the handler tests cannot: a bundle that fails to load (a dynamic require, a
 * missing export), an environment variable the stack forgot, a client that ignores the endpoint.
 */
import { rmSync } from "node:fs";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { toEnvelopeBody } from "../../lambdas/aws/topic-rule-envelope.js";
import { METRIC } from "../../lambdas/bindings/metrics.js";
import { HOUR_MS } from "../../lambdas/core/time.js";
import { telemetryTopic } from "../../lambdas/core/topics.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { goodPayload, sqsRecord } from "../fixtures/telemetry.js";
import { type BuiltBundles, buildBundles, emfValues, invokeBundle } from "./bundled-functions.js";
import { type FakeAws, startFakeAws } from "./fake-aws.js";

function telemetryEvent(readings: readonly Record<string, unknown>[], receivedAt: number): SQSEvent {
  return {
    Records: readings.map((reading, index) =>
      sqsRecord(
        `bundle-${index}`,
        toEnvelopeBody({
          payload: new TextEncoder().encode(JSON.stringify(reading)),
          topic: telemetryTopic(String(reading.sensor_id)),
          receivedAt,
        }),
      ),
    ),
  };
}

const reading = (sensorId: string, at: number, overrides: Record<string, unknown> = {}): Record<string, unknown> =>
  goodPayload({ sensor_id: sensorId, timestamp: new Date(at).toISOString(), ...overrides });

interface WriteRecordsBody {
  DatabaseName: string;
  TableName: string;
  Records: { MeasureName: string; Dimensions: { Name: string; Value: string }[] }[];
}

/** A reading of each sensor, a minute apart, the newest a minute before `now`, received at `now`. */
const oneGoodReadingEach = (sensors: readonly string[], now: number): SQSEvent =>
  telemetryEvent(
    sensors.map((sensorId, i) => reading(sensorId, now - (i + 1) * 60_000)),
    now,
  );

const previousHour = (now: number): string => new Date(now - (now % HOUR_MS) - HOUR_MS).toISOString();

describe("Lambda bundles as CDK builds them", () => {
  let bundles: BuiltBundles;
  let fakeAws: FakeAws;

  beforeAll(async () => {
    bundles = buildBundles();
    fakeAws = await startFakeAws();
  }, 240_000);
  afterAll(async () => {
    await fakeAws?.close();
    if (bundles) rmSync(bundles.outdir, { recursive: true, force: true });
  });
  beforeEach(() => {
    fakeAws.calls.length = 0;
  });

  const bundle = (label: string) => {
    const found = bundles.functions[label];
    if (!found) throw new Error(`no function labelled ${label}: ${Object.keys(bundles.functions).join(", ")}`);
    return found;
  };

  it("builds one ES module bundle per function, for the handler the template names", () => {
    expect(Object.keys(bundles.functions).sort()).toEqual(["hourly-rollup", "ingest", "zone-rollup"]);
    for (const fn of Object.values(bundles.functions)) expect(fn.handler).toBe("index.handler");
  });

  it("ingest: stores good readings with one WriteRecords call and reports no failure", async () => {
    const sensors = ["SENS001", "SENS002", "SENS003"];
    const event = oneGoodReadingEach(sensors, Date.now());

    const { result, lines } = await invokeBundle(bundle("ingest"), event, fakeAws);

    expect(result).toEqual({ batchItemFailures: [] });
    const writes = fakeAws.callsOf("timestream-write", "WriteRecords");
    expect(writes).toHaveLength(1);
    const body = JSON.parse(writes[0]?.body ?? "{}") as WriteRecordsBody;
    expect(body).toMatchObject({ DatabaseName: "kaikai_dev", TableName: "measurements" });
    expect(body.Records.map((record) => record.Dimensions.find((d) => d.Name === "sensor_id")?.Value)).toEqual(sensors);
    expect(body.Records.every((record) => record.MeasureName === "air_quality")).toBe(true);
    expect(fakeAws.callsOf("s3")).toEqual([]);
    expect(emfValues(lines, METRIC.readingsStored)).toEqual([3]);
  });

  it("ingest: puts a bad reading in the S3 quarantine with its reason, and stores the good one", async () => {
    const now = Date.now();
    const event = telemetryEvent([reading("SENS001", now - 60_000), reading("SENS004", now, { pm25: 5000 })], now);

    const { result } = await invokeBundle(bundle("ingest"), event, fakeAws);

    expect(result).toEqual({ batchItemFailures: [] });
    const puts = fakeAws.callsOf("s3", "PutObject");
    expect(puts).toHaveLength(1);
    const quarantineBucket = bundle("ingest").environment.QUARANTINE_BUCKET;
    expect(puts[0]?.path.startsWith(`/${quarantineBucket}/quarantine/`)).toBe(true);
    const entries = (puts[0]?.body ?? "")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toEqual([
      expect.objectContaining({ reason: "out_of_range", topic: telemetryTopic("SENS004"), sensor_id: "SENS004" }),
    ]);
    const writes = fakeAws.callsOf("timestream-write", "WriteRecords");
    expect((JSON.parse(writes[0]?.body ?? "{}") as WriteRecordsBody).Records).toHaveLength(1);
  });

  it("hourly roll-up: runs for an explicit hour, writes a row per registry sensor, publishes the summary and alerts", async () => {
    const hour = previousHour(Date.now());

    const { result, lines } = await invokeBundle(bundle("hourly-rollup"), { hour }, fakeAws);

    expect(result).toMatchObject({ hours: [hour], rowsWritten: SENSORS.length });
    const queries = fakeAws.callsOf("timestream-query", "Query").map((call) => call.body);
    // The hour's readings, and the 11 hours rolled up before it for the NowCast.
    expect(queries).toContainEqual(expect.stringContaining('\\"measurements\\"'));
    expect(queries).toContainEqual(expect.stringContaining('\\"hourly_aggregates\\"'));
    const writes = fakeAws
      .callsOf("timestream-write", "WriteRecords")
      .map((c) => JSON.parse(c.body) as WriteRecordsBody);
    expect(writes.map((w) => w.TableName)).toContain("hourly_aggregates");
    expect(writes.flatMap((w) => w.Records)).toHaveLength(SENSORS.length);
    expect(fakeAws.callsOf("iot-data", "Publish").map((call) => call.path)).toContainEqual(
      expect.stringContaining("/topics/kaikai/aggregates/hourly"),
    );
    expect(fakeAws.callsOf("unknown")).toEqual([]);
    expect(emfValues(lines, METRIC.hourlyRollupRuns)).toEqual([1]);
    // An hour without readings opens the dev stage's completeness alert for every sensor.
    expect(fakeAws.callsOf("sns", "Publish")).toHaveLength(SENSORS.length);
    expect(
      fakeAws
        .callsOf("iot-data", "UpdateThingShadow")
        .map((call) => call.path)
        .sort(),
    ).toEqual(SENSORS.map(({ sensorId }) => `/things/${sensorId}/shadow?name=alert-state`));
    expect(emfValues(lines, METRIC.alertsOpened)).toEqual(SENSORS.map(() => 1));
  });

  it("zone roll-up: runs for an explicit hour against the hourly table", async () => {
    const hour = previousHour(Date.now());

    const { result, lines } = await invokeBundle(bundle("zone-rollup"), { hour }, fakeAws);

    expect(result).toMatchObject({ hours: [], rowsWritten: 0, latest: null });
    expect(fakeAws.callsOf("timestream-query", "Query")[0]?.body).toContain("hourly_aggregates");
    expect(fakeAws.callsOf("unknown")).toEqual([]);
    expect(emfValues(lines, METRIC.zoneRollupRuns)).toEqual([1]);
  });
});

interface TransactWriteBody {
  TransactItems: { Put: { TableName: string; ConditionExpression: string; Item: { sensor_id: { S: string } } } }[];
}

describe("Lambda bundles of a DynamoDB stage", () => {
  let bundles: BuiltBundles;
  let fakeAws: FakeAws;

  beforeAll(async () => {
    bundles = buildBundles({ store: "dynamodb" });
    fakeAws = await startFakeAws();
  }, 240_000);
  afterAll(async () => {
    await fakeAws?.close();
    if (bundles) rmSync(bundles.outdir, { recursive: true, force: true });
  });
  beforeEach(() => {
    fakeAws.calls.length = 0;
  });

  const bundle = (label: string) => {
    const found = bundles.functions[label];
    if (!found) throw new Error(`no function labelled ${label}`);
    return found;
  };

  it("ingest: stores good readings with one conditional TransactWriteItems call, and nothing in Timestream", async () => {
    const sensors = ["SENS001", "SENS002", "SENS003"];
    const event = oneGoodReadingEach(sensors, Date.now());

    const { result, lines } = await invokeBundle(bundle("ingest"), event, fakeAws);

    expect(result).toEqual({ batchItemFailures: [] });
    const writes = fakeAws.callsOf("dynamodb", "TransactWriteItems");
    expect(writes).toHaveLength(1);
    const puts = (JSON.parse(writes[0]?.body ?? "{}") as TransactWriteBody).TransactItems.map(({ Put }) => Put);
    expect(puts.map((put) => put.Item.sensor_id.S)).toEqual(sensors);
    expect(new Set(puts.map((put) => put.TableName))).toEqual(
      new Set([bundle("ingest").environment.MEASUREMENTS_TABLE]),
    );
    expect(puts.every((put) => put.ConditionExpression === "attribute_not_exists(sensor_id)")).toBe(true);
    expect(fakeAws.callsOf("timestream-write")).toEqual([]);
    expect(emfValues(lines, METRIC.readingsStored)).toEqual([3]);
  });

  it("hourly roll-up: one key-range Query per registry sensor, a row per sensor into the aggregates table", async () => {
    const hour = previousHour(Date.now());

    const { result } = await invokeBundle(bundle("hourly-rollup"), { hour }, fakeAws);

    expect(result).toMatchObject({ hours: [hour], rowsWritten: SENSORS.length });
    const queries = fakeAws
      .callsOf("dynamodb", "Query")
      .map((call) => JSON.parse(call.body) as Record<string, unknown>);
    const { MEASUREMENTS_TABLE, HOURLY_AGGREGATES_TABLE } = bundle("hourly-rollup").environment;
    // A key-range Query per sensor, and one per earlier hour of the NowCast's window.
    expect(queries.filter((query) => query.TableName === MEASUREMENTS_TABLE)).toHaveLength(SENSORS.length);
    expect(queries.filter((query) => query.TableName === HOURLY_AGGREGATES_TABLE)).toHaveLength(11);
    const writes = fakeAws.callsOf("dynamodb", "BatchWriteItem");
    const table = bundle("hourly-rollup").environment.HOURLY_AGGREGATES_TABLE ?? "";
    const requests = writes.flatMap(
      (call) => (JSON.parse(call.body) as { RequestItems: Record<string, unknown[]> }).RequestItems[table] ?? [],
    );
    expect(requests).toHaveLength(SENSORS.length);
    expect(fakeAws.callsOf("dynamodb", "Scan")).toEqual([]);
    expect(fakeAws.callsOf("unknown")).toEqual([]);
  });

  it("zone roll-up: queries the hour's partition of the aggregates table", async () => {
    const hour = previousHour(Date.now());

    const { result } = await invokeBundle(bundle("zone-rollup"), { hour }, fakeAws);

    expect(result).toMatchObject({ hours: [], rowsWritten: 0, latest: null });
    const queries = fakeAws
      .callsOf("dynamodb", "Query")
      .map((call) => JSON.parse(call.body) as Record<string, unknown>);
    expect(queries).toContainEqual(
      expect.objectContaining({
        TableName: bundle("zone-rollup").environment.HOURLY_AGGREGATES_TABLE,
        ExpressionAttributeValues: { ":partition": { S: `sensor_hour#${new Date(hour).toISOString()}` } },
      }),
    );
    expect(fakeAws.callsOf("unknown")).toEqual([]);
  });
});
