/**
 * The hourly roll-up with its real adapters against the emulator: the readings of an hour are
 * written into the measurements table, binned by the roll-up's Timestream query, rolled up into
 * hourly_aggregates, and the hourly rules raise their alerts on SNS.
 *
 * moto 5.2 has no query engine: its Query answers what was queued for the exact query text
 * through moto's own API. On moto this test therefore queues, in two pages, the bins Timestream
 * would compute for the readings it wrote (so the adapter's pagination and its parsing of
 * Timestream's wire format are exercised, not the SQL). On LocalStack the real query runs.
 */

import { IoTDataPlaneClient } from "@aws-sdk/client-iot-data-plane";
import type { ColumnInfo, QueryResponse, Row } from "@aws-sdk/client-timestream-query";
import { CreateTableCommand } from "@aws-sdk/client-timestream-write";
import { beforeAll, describe, expect, it } from "vitest";
import { makeSnsAlertSink } from "../../lambdas/aws/alert-delivery.js";
import { makeIotAggregatePublisher } from "../../lambdas/aws/iot-aggregate-publisher.js";
import { makeShadowAlertStateStore } from "../../lambdas/aws/shadow-alert-state.js";
import {
  makeTimestreamBinSource,
  makeTimestreamHourlySource,
  makeTimestreamHourlyWriter,
} from "../../lambdas/aws/timestream/aggregates.js";
import { createTimestreamQueryClient } from "../../lambdas/aws/timestream/query.js";
import { SENSOR_HOUR_MEASURE_NAME } from "../../lambdas/aws/timestream/records.js";
import { HOURLY_READINGS_SQL, renderSql } from "../../lambdas/aws/timestream/sql.js";
import { createTimestreamStore, createTimestreamWriteClient } from "../../lambdas/aws/timestream/store.js";
import { TABLES } from "../../lambdas/bindings/resources.js";
import type { AlertNotice } from "../../lambdas/core/alerts.js";
import type { EnrichedReading } from "../../lambdas/core/reading.js";
import { HOUR_MS } from "../../lambdas/core/time.js";
import { makeHourlyRollup } from "../../lambdas/use-cases/hourly-rollup.js";
import { REGISTRY, SENSORS } from "../../lib/config/sensors.js";
import { loadStagesFromCdkJson } from "../../lib/config/stages.js";
import { PM25_MEAN_HIGH } from "../fixtures/alerts.js";
import { withQuality } from "../fixtures/telemetry.js";
import {
  createAlertsTopic,
  createMeasurementsTable,
  createThing,
  emulatorEndpoint,
  isMoto,
  quietObservability,
  receiveAll,
  snsClient,
  uniqueName,
} from "./aws-emulator.js";
import { readStoredRecords } from "./timestream-read-back.js";

const NOW = Date.now();
/** The last complete hour: what a scheduled run rolls up. */
const HOUR = Math.floor(NOW / HOUR_MS) * HOUR_MS - HOUR_MS;
// The dev stage's rules, and one on the plain 1-hour mean: the NowCast rule needs earlier hours
// this table does not have (the core's tests hold it).
const RULES = [...loadStagesFromCdkJson().dev.alertRules, PM25_MEAN_HIGH];

/** SENS001 reports 50 times with a PM2.5 mean of 44.5 (above the hourly rule's 35), SENS002 40 times. */
function readingsOfTheHour(): EnrichedReading[] {
  const reading = (sensorId: string, minute: number, pm25: number): EnrichedReading => {
    const sensor = REGISTRY.get(sensorId);
    if (sensor === undefined) throw new Error(`no sensor ${sensorId}`);
    const timestamp = HOUR + minute * 60_000;
    const { locationName, zone, city } = sensor;
    return withQuality({
      sensorId,
      timestamp,
      pm25,
      temperature: 30,
      humidity: 65,
      co2: 600,
      locationName,
      zone,
      city,
      receivedAt: timestamp,
    });
  };
  return [
    ...Array.from({ length: 50 }, (_, i) => reading("SENS001", i, 40 + (i % 10))),
    ...Array.from({ length: 40 }, (_, i) => reading("SENS002", i, 10)),
  ];
}

describe("hourly roll-up against the emulator", () => {
  const readings = readingsOfTheHour();
  let hourlyTable: { database: string; table: string };
  let warningQueue: string;
  let criticalQueue: string;
  let run: () => Promise<unknown>;

  beforeAll(async () => {
    const { logger, metrics } = quietObservability();
    const { database, table } = await createMeasurementsTable();
    const writeClient = createTimestreamWriteClient();
    await writeClient.send(new CreateTableCommand({ DatabaseName: database, TableName: TABLES.hourlyAggregates }));
    hourlyTable = { database, table: TABLES.hourlyAggregates };
    const [topic] = await Promise.all([createAlertsTopic(), ...SENSORS.map(({ sensorId }) => createThing(sensorId))]);
    warningQueue = topic.queueUrls.warning;
    criticalQueue = topic.queueUrls.critical;

    const store = createTimestreamStore({ client: writeClient, database, table });
    expect(await store.write(readings)).toEqual({ rejected: [], unwritten: [] });
    // The hour's readings and those of the hour before, for the neighbours of its first ones.
    const read = { from: HOUR - HOUR_MS, to: HOUR + HOUR_MS };
    if (await isMoto())
      await queueQueryPages(renderSql(HOURLY_READINGS_SQL, { database, table }, read), readingPages(readings));

    const iotData = new IoTDataPlaneClient({ endpoint: emulatorEndpoint() });
    const handler = makeHourlyRollup({
      registry: REGISTRY,
      bins: makeTimestreamBinSource({ client: createTimestreamQueryClient(), database, table, registry: REGISTRY }),
      writer: makeTimestreamHourlyWriter({ client: writeClient, ...hourlyTable }),
      hourly: makeTimestreamHourlySource({ client: createTimestreamQueryClient(), ...hourlyTable }),
      publisher: makeIotAggregatePublisher({ client: iotData }),
      alerting: {
        rules: RULES,
        states: makeShadowAlertStateStore({ client: iotData, shadowName: uniqueName("alert-state") }),
        sink: makeSnsAlertSink({ client: snsClient(), topicArn: topic.topicArn }),
      },
      clock: { now: () => NOW },
      logger,
      metrics,
    });
    run = () => handler({ hour: new Date(HOUR).toISOString() });
  });

  it("writes one hourly row per registry sensor, silent ones included, versioned by the run time", async () => {
    await run();
    const { records, versionsVisible } = await readStoredRecords(hourlyTable.database, hourlyTable.table, [
      "sensor_id",
    ]);
    const rows = Object.fromEntries(records.map((record) => [record.dimensions.sensor_id, record]));
    expect(Object.keys(rows).sort()).toEqual(SENSORS.map((s) => s.sensorId).sort());
    for (const record of records) {
      expect(record).toMatchObject({ measureName: SENSOR_HOUR_MEASURE_NAME, time: HOUR });
      if (versionsVisible) expect(record.version).toBe(NOW);
    }
    const value = (sensorId: string, measure: string) => Number(rows[sensorId]?.measures[measure]?.value);
    expect(value("SENS001", "readings")).toBe(50);
    expect(value("SENS001", "pm25_mean")).toBeCloseTo(44.5, 9);
    expect(value("SENS001", "completeness")).toBeCloseTo(50 / 60, 9);
    expect(value("SENS002", "readings")).toBe(40);
    expect(value("SENS005", "readings")).toBe(0);
    expect(rows.SENS001?.measures.readings?.type).toBe("BIGINT");
    expect(rows.SENS001?.measures.pm25_mean?.type).toBe("DOUBLE");
  });

  it("raises the hourly warnings on SNS: the PM2.5 mean of SENS001 and the silent sensors' completeness", async () => {
    const warnings = await receiveAll(warningQueue, 4);
    const notices = warnings.map((message) => JSON.parse(message.Body ?? "{}") as AlertNotice);
    expect(notices.map((n) => `${n.sensorId} ${n.ruleId} ${n.state}`).sort()).toEqual([
      "SENS001 pm25_hourly_mean_high opened",
      "SENS003 completeness_low opened",
      "SENS004 completeness_low opened",
      "SENS005 completeness_low opened",
    ]);
    expect(await receiveAll(criticalQueue, 0)).toEqual([]);
  });
});

/** Queues answers for one query text on moto; each Query call takes the next one. */
async function queueQueryPages(queryString: string, pages: readonly QueryResponse[]): Promise<void> {
  const response = await fetch(new URL("/moto-api/static/timestream/query-results", emulatorEndpoint()), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ region: process.env.AWS_REGION, results: { [queryString]: pages } }),
  });
  if (!response.ok) throw new Error(`moto refused the query results: ${response.status}`);
}

/** What Timestream answers to HOURLY_READINGS_SQL for these readings, one sensor per page. */
function readingPages(readings: readonly EnrichedReading[]): QueryResponse[] {
  const column = (Name: string, ScalarType: "VARCHAR" | "TIMESTAMP" | "BIGINT" | "DOUBLE"): ColumnInfo => ({
    Name,
    Type: { ScalarType },
  });
  const columns: ColumnInfo[] = [
    column("sensor_id", "VARCHAR"),
    column("time", "TIMESTAMP"),
    column("pm25", "DOUBLE"),
    column("temperature", "DOUBLE"),
    column("humidity", "DOUBLE"),
    column("co2", "BIGINT"),
  ];
  const timestreamTime = (epochMs: number) => new Date(epochMs).toISOString().replace("T", " ").replace("Z", "000000");
  const sensorIds = [...new Set(readings.map((r) => r.sensorId))].sort();
  return sensorIds.map((sensorId, index) => ({
    QueryId: `emulator-${index}`,
    ColumnInfo: columns,
    Rows: readings
      .filter((r) => r.sensorId === sensorId)
      .map(
        (r): Row => ({
          Data: [sensorId, timestreamTime(r.timestamp), r.pm25, r.temperature, r.humidity, r.co2].map((value) => ({
            ScalarValue: String(value),
          })),
        }),
      ),
    ...(index < sensorIds.length - 1 ? { NextToken: `page-${index + 1}` } : {}),
  }));
}
