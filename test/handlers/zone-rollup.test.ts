import { IoTDataPlaneClient, PublishCommand } from "@aws-sdk/client-iot-data-plane";
import { QueryCommand, TimestreamQueryClient } from "@aws-sdk/client-timestream-query";
import { TimestreamWriteClient, WriteRecordsCommand } from "@aws-sdk/client-timestream-write";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { makeIotAggregatePublisher } from "../../lambdas/aws/iot-aggregate-publisher.js";
import { makeTimestreamHourlySource, makeTimestreamZoneWriter } from "../../lambdas/aws/timestream/aggregates.js";
import { METRIC, ZONE_DIMENSION } from "../../lambdas/bindings/metrics.js";
import { HOUR_MS } from "../../lambdas/core/time.js";
import { makeZoneRollup } from "../../lambdas/use-cases/zone-rollup.js";
import {
  type Cell,
  decodePayload,
  fakeMetrics,
  HOURLY_COLUMNS,
  queryPage,
  type Stats,
  silentLogger,
  statsCells,
  timestreamTime,
} from "../fixtures/fakes.js";

const query = mockClient(TimestreamQueryClient);
const write = mockClient(TimestreamWriteClient);
const iot = mockClient(IoTDataPlaneClient);

const NOW = Date.parse("2026-11-28T11:10:00Z");
const H10 = Date.parse("2026-11-28T10:00:00Z");

const hourlyRow = (sensorId: string, zone: string, hourStart: number, pm25: Stats): Cell[] => [
  sensorId,
  timestreamTime(hourStart),
  `Dakar - ${sensorId}`,
  zone,
  "Dakar",
  pm25.count,
  60,
  Math.min(1, pm25.count / 60),
  ...statsCells(pm25),
];

function setup() {
  const telemetry = fakeMetrics();
  const handler = makeZoneRollup({
    hourly: makeTimestreamHourlySource({
      client: new TimestreamQueryClient({ region: "eu-west-1" }),
      database: "kaikai_dev",
      table: "hourly_aggregates",
    }),
    writer: makeTimestreamZoneWriter({
      client: new TimestreamWriteClient({ region: "eu-west-1" }),
      database: "kaikai_dev",
      table: "zone_aggregates",
    }),
    publisher: makeIotAggregatePublisher({ client: new IoTDataPlaneClient({ region: "eu-west-1" }) }),
    clock: { now: () => NOW },
    logger: silentLogger(),
    metrics: telemetry.metrics,
  });
  return { handler, telemetry };
}

beforeEach(() => {
  for (const mock of [query, write, iot]) mock.reset();
  write.on(WriteRecordsCommand).resolves({});
  iot.on(PublishCommand).resolves({});
});

describe("zone roll-up handler", () => {
  it("weighs sensors by their counts, ranks zones and publishes the ranking on kaikai/aggregates/zones", async () => {
    query.on(QueryCommand).resolves(
      // The same two hours running: 09:00 for the NowCast, 10:00 asked for.
      queryPage(
        HOURLY_COLUMNS,
        [H10 - HOUR_MS, H10].flatMap((hour) => [
          hourlyRow("SENS001", "Urban", hour, { count: 60, sum: 600, min: 5, max: 20 }),
          hourlyRow("SENS003", "Urban", hour, { count: 6, sum: 600, min: 90, max: 110 }),
          hourlyRow("SENS002", "Residential", hour, { count: 60, sum: 360, min: 4, max: 8 }),
          hourlyRow("SENS005", "Residential", hour, { count: 0, sum: 0, min: 0, max: 0 }),
          hourlyRow("SENS004", "Commercial", hour, { count: 60, sum: 2400, min: 30, max: 50 }),
        ]),
      ),
    );
    const { handler, telemetry } = setup();

    const result = await handler({ hour: "2026-11-28T10:00:00Z" });

    const sql = query.commandCalls(QueryCommand)[0]?.args[0].input.QueryString ?? "";
    expect(sql).toContain('FROM "kaikai_dev"."hourly_aggregates"');
    expect(sql).toContain("measure_name = 'sensor_hour'");
    // Urban: (600 + 600) / (60 + 6) = 18.18, not (10 + 100) / 2 = 55.
    expect(result.latest?.ranking).toEqual([
      {
        rank: 1,
        zone: "Residential",
        pm25Mean: 6,
        seedEvaluation: "EXCELLENT",
        nowcastPm25: 6,
        aqi: 33,
        aqiCategory: "Good",
        sensors: 2,
        readings: 60,
        completeness: 0.5,
      },
      {
        rank: 2,
        zone: "Urban",
        pm25Mean: expect.closeTo(1200 / 66, 12),
        seedEvaluation: "MODERATE",
        nowcastPm25: 18.1,
        aqi: 68,
        aqiCategory: "Moderate",
        sensors: 2,
        readings: 66,
        completeness: 0.55,
      },
      {
        rank: 3,
        zone: "Commercial",
        pm25Mean: 40,
        seedEvaluation: "POOR",
        nowcastPm25: 40,
        aqi: 112,
        aqiCategory: "Unhealthy for Sensitive Groups",
        sensors: 1,
        readings: 60,
        completeness: 1,
      },
    ]);

    const [published] = iot.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(published?.topic).toBe("kaikai/aggregates/zones");
    expect(decodePayload(published?.payload)).toEqual(JSON.parse(JSON.stringify(result.latest)));

    const records = write.commandCalls(WriteRecordsCommand).flatMap((call) => call.args[0].input.Records ?? []);
    expect(write.commandCalls(WriteRecordsCommand)[0]?.args[0].input.TableName).toBe("zone_aggregates");
    expect(records.map((record) => [record.Dimensions?.[0]?.Value, record.Time, record.Version])).toEqual([
      ["Residential", String(H10), NOW],
      ["Urban", String(H10), NOW],
      ["Commercial", String(H10), NOW],
    ]);
    const urban = Object.fromEntries((records[1]?.MeasureValues ?? []).map((m) => [m.Name, m.Value]));
    expect(urban).toMatchObject({
      rank: "2",
      evaluation: "MODERATE",
      aqi: "68",
      sensors: "2",
      active_sensors: "2",
      readings: "66",
    });

    expect(telemetry.values.filter((v) => v.name === METRIC.zoneCompleteness)).toEqual([
      { name: METRIC.zoneCompleteness, unit: "Percent", value: 50, dimensions: { [ZONE_DIMENSION]: "Residential" } },
      {
        name: METRIC.zoneCompleteness,
        unit: "Percent",
        value: expect.closeTo(55, 9),
        dimensions: { [ZONE_DIMENSION]: "Urban" },
      },
      { name: METRIC.zoneCompleteness, unit: "Percent", value: 100, dimensions: { [ZONE_DIMENSION]: "Commercial" } },
    ]);
    expect(telemetry.sum(METRIC.zoneRollupRuns)).toBe(1);
  });

  it("rolls up every hour of a backfill and publishes one ranking per hour", async () => {
    query
      .on(QueryCommand)
      .resolves(
        queryPage(HOURLY_COLUMNS, [
          hourlyRow("SENS001", "Urban", H10 - HOUR_MS, { count: 60, sum: 600, min: 5, max: 20 }),
          hourlyRow("SENS001", "Urban", H10, { count: 60, sum: 900, min: 5, max: 20 }),
        ]),
      );
    const { handler } = setup();

    const result = await handler({ from: "2026-11-28T09:00:00Z", to: "2026-11-28T11:00:00Z" });

    expect(result.hours).toEqual(["2026-11-28T09:00:00.000Z", "2026-11-28T10:00:00.000Z"]);
    expect(iot.commandCalls(PublishCommand)).toHaveLength(2);
    expect(result.latest?.ranking[0]?.pm25Mean).toBe(15);
  });

  it("rolls up hours in which no sensor spoke, on a table that has never held a minimum or maximum", async () => {
    // Timestream's answer to SELECT * on such a table: the columns of silent hours only.
    const silentColumns = HOURLY_COLUMNS.filter(([name]) => !/_(min|max)$/.test(name));
    const silentRow = (sensorId: string, zone: string): Cell[] => [
      sensorId,
      timestreamTime(H10),
      `Dakar - ${sensorId}`,
      zone,
      "Dakar",
      0,
      60,
      0,
      ...[0, 0, 0, 0].flatMap((count) => [count, 0]),
    ];
    query
      .on(QueryCommand)
      .resolves(queryPage(silentColumns, [silentRow("SENS001", "Urban"), silentRow("SENS002", "Residential")]));
    const { handler } = setup();

    const result = await handler({ hour: "2026-11-28T10:00:00Z" });

    const statement = (query.commandCalls(QueryCommand)[0]?.args[0].input.QueryString ?? "")
      .split("\n")
      .filter((line) => !line.trimStart().startsWith("--"))
      .join("\n");
    expect(statement).not.toMatch(/_(min|max|mean)\b/);
    expect(result.rowsWritten).toBe(2);
    const records = write.commandCalls(WriteRecordsCommand).flatMap((call) => call.args[0].input.Records ?? []);
    const urban = Object.fromEntries(
      (records.find((r) => r.Dimensions?.[0]?.Value === "Urban")?.MeasureValues ?? []).map((m) => [m.Name, m.Value]),
    );
    expect(urban).toMatchObject({ sensors: "1", active_sensors: "0", readings: "0", completeness: "0" });
    expect(urban).not.toHaveProperty("aqi");
  });

  it("writes nothing for hours the hourly roll-up has not written yet", async () => {
    query.on(QueryCommand).resolves(queryPage(HOURLY_COLUMNS, []));
    const { handler } = setup();
    const result = await handler({});
    expect(result).toMatchObject({ hours: [], rowsWritten: 0, latest: null });
    expect(write.commandCalls(WriteRecordsCommand)).toHaveLength(0);
  });
});
