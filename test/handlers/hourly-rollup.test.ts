import {
  GetThingShadowCommand,
  IoTDataPlaneClient,
  PublishCommand as IotPublishCommand,
  ResourceNotFoundException,
  UpdateThingShadowCommand,
} from "@aws-sdk/client-iot-data-plane";
import { SNSClient, PublishCommand as SnsPublishCommand } from "@aws-sdk/client-sns";
import { QueryCommand, TimestreamQueryClient } from "@aws-sdk/client-timestream-query";
import { TimestreamWriteClient, WriteRecordsCommand } from "@aws-sdk/client-timestream-write";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { makeAwsAlertPorts } from "../../lambdas/aws/alert-delivery.js";
import { makeIotAggregatePublisher } from "../../lambdas/aws/iot-aggregate-publisher.js";
import { makeTimestreamBinSource, makeTimestreamHourlyWriter } from "../../lambdas/aws/timestream/aggregates.js";
import { METRIC } from "../../lambdas/bindings/metrics.js";
import type { HourlySummary } from "../../lambdas/core/aggregates.js";
import { registryOf, type SensorRegistry } from "../../lambdas/core/sensor.js";
import { HOUR_MS } from "../../lambdas/core/time.js";
import { makeHourlyRollup } from "../../lambdas/use-cases/hourly-rollup.js";
import { REGISTRY, SENSORS } from "../../lib/config/sensors.js";
import { PM25_MEAN_HIGH } from "../fixtures/alerts.js";
import {
  around,
  decodePayload,
  fakeMetrics,
  queryPage,
  READING_COLUMNS,
  readingRows,
  silentLogger,
} from "../fixtures/fakes.js";

const query = mockClient(TimestreamQueryClient);
const write = mockClient(TimestreamWriteClient);
const iot = mockClient(IoTDataPlaneClient);
const sns = mockClient(SNSClient);

const NOW = Date.parse("2026-11-28T11:05:00Z");
const H10 = Date.parse("2026-11-28T10:00:00Z");

function setup(registry: SensorRegistry = REGISTRY) {
  const telemetry = fakeMetrics();
  const iotClient = new IoTDataPlaneClient({ region: "eu-west-1" });
  const handler = makeHourlyRollup({
    registry,
    bins: makeTimestreamBinSource({
      client: new TimestreamQueryClient({ region: "eu-west-1" }),
      database: "kaikai_dev",
      table: "measurements",
      registry,
    }),
    writer: makeTimestreamHourlyWriter({
      client: new TimestreamWriteClient({ region: "eu-west-1" }),
      database: "kaikai_dev",
      table: "hourly_aggregates",
    }),
    // No hour rolled up before these (the Timestream hourly source is tested with the zone roll-up).
    hourly: { hourly: async () => [] },
    publisher: makeIotAggregatePublisher({ client: iotClient }),
    alerting: {
      rules: [PM25_MEAN_HIGH],
      ...makeAwsAlertPorts({
        sns: new SNSClient({ region: "eu-west-1" }),
        iot: iotClient,
        topicArn: "arn:aws:sns:eu-west-1:1:a",
      }),
    },
    clock: { now: () => NOW },
    logger: silentLogger(),
    metrics: telemetry.metrics,
  });
  return { handler, telemetry };
}

const writtenRecords = () =>
  write.commandCalls(WriteRecordsCommand).flatMap((call) => call.args[0].input.Records ?? []);
const iotTopics = () => iot.commandCalls(IotPublishCommand).map((call) => call.args[0].input.topic);

beforeEach(() => {
  for (const mock of [query, write, iot, sns]) mock.reset();
  write.on(WriteRecordsCommand).resolves({});
  iot.on(IotPublishCommand).resolves({});
  iot.on(GetThingShadowCommand).rejects(new ResourceNotFoundException({ message: "none", $metadata: {} }));
  iot.on(UpdateThingShadowCommand).resolves({});
  sns.on(SnsPublishCommand).resolves({ MessageId: "m" });
});

describe("hourly roll-up handler", () => {
  it("writes one multi-measure record per registry sensor for the hour, versioned by the run time", async () => {
    query
      .on(QueryCommand)
      .resolves(queryPage(READING_COLUMNS, readingRows("SENS001", H10, [10, 30, ...around(20, 58, 5)])));
    const { handler } = setup();

    const result = await handler({ hour: "2026-11-28T10:00:00Z" });

    expect(result).toMatchObject({ hours: ["2026-11-28T10:00:00.000Z"], rowsWritten: 5, version: NOW });
    const records = writtenRecords();
    expect(records.map((record) => record.Dimensions?.[0]?.Value)).toEqual(SENSORS.map((s) => s.sensorId).sort());
    const call = write.commandCalls(WriteRecordsCommand)[0]?.args[0].input;
    expect([call?.DatabaseName, call?.TableName]).toEqual(["kaikai_dev", "hourly_aggregates"]);
    const measures = (index: number) =>
      Object.fromEntries((records[index]?.MeasureValues ?? []).map((m) => [m.Name, [m.Value, m.Type]]));
    expect(records[0]).toMatchObject({
      Dimensions: [{ Name: "sensor_id", Value: "SENS001", DimensionValueType: "VARCHAR" }],
      MeasureName: "sensor_hour",
      MeasureValueType: "MULTI",
      Time: String(H10),
      TimeUnit: "MILLISECONDS",
      Version: NOW,
    });
    expect(measures(0)).toMatchObject({
      location_name: ["Dakar - Plateau", "VARCHAR"],
      zone: ["Urban", "VARCHAR"],
      city: ["Dakar", "VARCHAR"],
      readings: ["60", "BIGINT"],
      expected_readings: ["60", "DOUBLE"],
      completeness: ["1", "DOUBLE"],
      pm25_count: ["60", "BIGINT"],
      pm25_sum: ["1200", "DOUBLE"],
      pm25_min: ["10", "DOUBLE"],
      pm25_max: ["30", "DOUBLE"],
      pm25_mean: ["20", "DOUBLE"],
    });
    // A silent sensor: a row with nothing but zeros, no min/max/mean.
    expect(measures(1)).toMatchObject({ readings: ["0", "BIGINT"], completeness: ["0", "DOUBLE"] });
    expect(measures(1)).not.toHaveProperty("pm25_mean");
  });

  it("by default rolls up the last complete hour and re-covers the two before it", async () => {
    query.on(QueryCommand).resolves(queryPage(READING_COLUMNS, []));
    const { handler, telemetry } = setup();

    const result = await handler({});

    expect(result.hours).toEqual(["2026-11-28T08:00:00.000Z", "2026-11-28T09:00:00.000Z", "2026-11-28T10:00:00.000Z"]);
    const sql = query.commandCalls(QueryCommand)[0]?.args[0].input.QueryString ?? "";
    // From the hour before the range: the neighbours of its first readings, for their quality flags.
    expect(sql).toContain("from_iso8601_timestamp('2026-11-28T07:00:00.000Z')");
    expect(sql).toContain("from_iso8601_timestamp('2026-11-28T11:00:00.000Z')");
    expect(telemetry.sum(METRIC.hourlyRollupRuns)).toBe(1);
  });

  it("backfills three hours: rows of each hour, one summary per hour on kaikai/aggregates/hourly", async () => {
    query
      .on(QueryCommand)
      .resolves(
        queryPage(READING_COLUMNS, [
          ...readingRows("SENS001", H10 - 2 * HOUR_MS, around(10, 60, 5)),
          ...readingRows("SENS002", H10 - HOUR_MS, around(10, 30, 5)),
          ...readingRows("SENS003", H10, around(10, 45, 5)),
        ]),
      );
    const { handler, telemetry } = setup();

    const result = await handler({ from: "2026-11-28T08:00:00Z", to: "2026-11-28T11:00:00Z" });

    expect(result.rowsWritten).toBe(15);
    const byHour = new Map<string, number>();
    for (const record of writtenRecords()) byHour.set(record.Time ?? "", (byHour.get(record.Time ?? "") ?? 0) + 1);
    expect([...byHour.entries()]).toEqual([
      [String(H10 - 2 * HOUR_MS), 5],
      [String(H10 - HOUR_MS), 5],
      [String(H10), 5],
    ]);
    const summaries = iot
      .commandCalls(IotPublishCommand)
      .filter((call) => call.args[0].input.topic === "kaikai/aggregates/hourly")
      .map((call) => decodePayload(call.args[0].input.payload) as HourlySummary);
    expect(summaries.map((summary) => summary.hour)).toEqual([
      "2026-11-28T08:00:00.000Z",
      "2026-11-28T09:00:00.000Z",
      "2026-11-28T10:00:00.000Z",
    ]);
    expect(summaries[2]?.sensors.find((s) => s.sensorId === "SENS003")).toMatchObject({
      sensorId: "SENS003",
      zone: "Urban",
      readings: 45,
      completeness: 0.75,
      pm25Mean: 10,
    });
    // Active sensors of the newest hour only.
    expect(telemetry.sum(METRIC.activeSensors)).toBe(1);
  });

  it("writes in calls of at most 100 records", async () => {
    const [first] = SENSORS;
    if (first === undefined) throw new Error("empty registry");
    const fleet = registryOf(
      Array.from({ length: 40 }, (_, i) => ({ ...first, sensorId: `S${String(i).padStart(3, "0")}` })),
    );
    query.on(QueryCommand).resolves(queryPage(READING_COLUMNS, []));
    const { handler } = setup(fleet);

    await handler({ from: "2026-11-28T08:00:00Z", to: "2026-11-28T11:00:00Z" });

    expect(write.commandCalls(WriteRecordsCommand).map((call) => call.args[0].input.Records?.length)).toEqual([
      100, 20,
    ]);
  });

  it("raises an hourly alert on SNS and kaikai/alerts/{id} after the rows are written", async () => {
    query.on(QueryCommand).resolves(queryPage(READING_COLUMNS, readingRows("SENS004", H10, around(45, 60, 15))));
    const { handler } = setup();

    const result = await handler({ hour: "2026-11-28T10:00:00Z" });

    expect(result.alerts).toEqual({ opened: 1, reminders: 0, resolved: 0, publishFailures: 0 });
    const [alert] = sns.commandCalls(SnsPublishCommand).map((call) => call.args[0].input);
    expect(alert?.MessageAttributes?.metric?.StringValue).toBe("pm25_mean");
    expect(alert?.MessageAttributes?.sensor_id?.StringValue).toBe("SENS004");
    expect(alert?.MessageAttributes?.zone?.StringValue).toBe("Commercial");
    expect(iotTopics()).toContain("kaikai/alerts/SENS004");
    expect(iot.commandCalls(UpdateThingShadowCommand).map((call) => call.args[0].input.thingName)).toEqual(["SENS004"]);
  });

  it("keeps the written rows and still succeeds when alerts and summaries cannot be published", async () => {
    query.on(QueryCommand).resolves(queryPage(READING_COLUMNS, readingRows("SENS004", H10, around(45, 60, 15))));
    iot.on(IotPublishCommand).rejects(new Error("IoT down"));
    const { handler, telemetry } = setup();

    const result = await handler({ hour: "2026-11-28T10:00:00Z" });

    expect(result.rowsWritten).toBe(5);
    expect(result.alerts.publishFailures).toBe(1);
    expect(iot.commandCalls(UpdateThingShadowCommand)).toHaveLength(0);
    expect(telemetry.sum(METRIC.hourlyRollupRuns)).toBe(1);
  });

  it("refuses a bad event with a clear error and writes nothing", async () => {
    const { handler } = setup();
    await expect(handler({ hour: "2026-11-28T10:30:00Z" })).rejects.toThrow(/hour boundary/);
    expect(write.commandCalls(WriteRecordsCommand)).toHaveLength(0);
  });
});
