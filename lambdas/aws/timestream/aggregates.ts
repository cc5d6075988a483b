import type { TimestreamQueryClient } from "@aws-sdk/client-timestream-query";
import { type TimestreamWriteClient, WriteRecordsCommand } from "@aws-sdk/client-timestream-write";
import type {
  HourlyAggregate,
  HourRange,
  MeasureStats,
  MeasureStatsByMeasure,
  SensorHourBin,
} from "../../core/aggregates.js";
import { MEASURES, type Measure, mapMeasures } from "../../core/measures.js";
import { parseFlagCounts } from "../../core/quality.js";
import { binReadings, judgeSeries, type StoredSeriesReading } from "../../core/rollup.js";
import { type SensorRegistry, ZONES } from "../../core/sensor.js";
import { HOUR_MS } from "../../core/time.js";
import * as z from "../../core/zod.js";
import type {
  HourlyAggregateSource,
  HourlyAggregateWriter,
  HourlyBinSource,
  ZoneAggregateWriter,
} from "../../ports.js";
import { type QueryRow, queryAll } from "./query.js";
import { hourlyRecord, type TimestreamRecord, zoneRecord } from "./records.js";
import { HOURLY_AGGREGATES_SQL, HOURLY_READINGS_SQL, renderSql, type SqlTarget } from "./sql.js";
import { TIMESTREAM_MAX_RECORDS_PER_WRITE } from "./store.js";

export interface TimestreamTableTarget extends SqlTarget {
  readonly client: TimestreamWriteClient;
}

async function writeInChunks(target: TimestreamTableTarget, records: readonly TimestreamRecord[]): Promise<void> {
  for (let start = 0; start < records.length; start += TIMESTREAM_MAX_RECORDS_PER_WRITE) {
    await target.client.send(
      new WriteRecordsCommand({
        DatabaseName: target.database,
        TableName: target.table,
        Records: records.slice(start, start + TIMESTREAM_MAX_RECORDS_PER_WRITE),
      }),
    );
  }
}

export function makeTimestreamHourlyWriter(target: TimestreamTableTarget): HourlyAggregateWriter {
  return {
    writeHourly: (rows, version) =>
      writeInChunks(
        target,
        rows.map((row) => hourlyRecord(row, version)),
      ),
  };
}

export function makeTimestreamZoneWriter(target: TimestreamTableTarget): ZoneAggregateWriter {
  return {
    writeZones: (rows, version) =>
      writeInChunks(
        target,
        rows.map((row) => zoneRecord(row, version)),
      ),
  };
}

/** Absent when the table has never held the column (sql/timestream/hourly-aggregates.sql). */
const statColumn = z.optional(z.nullable(z.number()));
const statsColumns = Object.fromEntries(
  MEASURES.flatMap((name) => [
    [`${name}_count`, statColumn],
    [`${name}_sum`, statColumn],
    [`${name}_min`, statColumn],
    [`${name}_max`, statColumn],
  ]),
) as Record<`${Measure}_${"count" | "sum" | "min" | "max"}`, typeof statColumn>;

type StatsRow = { readonly [column in keyof typeof statsColumns]?: number | null };

/** A reading as sql/timestream/hourly-readings.sql returns it; pm25_b is absent from a table that never had one. */
const readingRowSchema = z.object({
  sensor_id: z.string(),
  time: z.number(),
  pm25: z.number(),
  pm25_b: z.optional(z.nullable(z.number())),
  temperature: z.number(),
  humidity: z.number(),
  co2: z.number(),
});

const hourlyRowSchema = z.object({
  sensor_id: z.string(),
  time: z.number(),
  location_name: z.string(),
  zone: z.enum(ZONES),
  city: z.string(),
  readings: z.number(),
  expected_readings: z.number(),
  completeness: z.number(),
  coverage: z.optional(z.nullable(z.number())),
  flag_counts: z.optional(z.nullable(z.string())),
  ...statsColumns,
  nowcast_pm25: z.optional(z.nullable(z.number())),
});

function statsFromRow(row: StatsRow): MeasureStatsByMeasure {
  return mapMeasures(
    (name): MeasureStats => ({
      count: row[`${name}_count`] ?? 0,
      sum: row[`${name}_sum`] ?? 0,
      min: row[`${name}_min`] ?? null,
      max: row[`${name}_max`] ?? null,
    }),
  );
}

function parseRows<T extends z.ZodMiniType>(schema: T, rows: readonly QueryRow[], what: string): z.infer<T>[] {
  return rows.map((row, index) => {
    const parsed = schema.safeParse(row, z.inEnglish);
    if (!parsed.success)
      throw new Error(`${what} row ${index} has an unexpected shape: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  });
}

export interface TimestreamQueryTarget extends SqlTarget {
  readonly client: TimestreamQueryClient;
}

/**
 * Timestream knows a table's columns only from what was written to it, and refuses a query that
 * names one it has never seen ("line 4:11: Column 'pm25' does not exist"): a table that has never
 * held them has no rows for us either.
 */
function isNeverWrittenColumn(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === "ValidationException" &&
    /Column '[^']+' does not exist/.test(error.message)
  );
}

async function queryOrNothing(target: TimestreamQueryTarget, sql: string): Promise<readonly QueryRow[]> {
  try {
    return await queryAll(target.client, sql);
  } catch (error) {
    if (isNeverWrittenColumn(error)) return [];
    throw error;
  }
}

/**
 * The measurements table's readings of the range and of the hour before it (the neighbours of its
 * first readings), judged and binned by lambdas/core (rollup.ts judgeSeries and binReadings), as
 * the DynamoDB and local stores do (sql/timestream/hourly-readings.sql). Timestream keeps no
 * receive time, so the order of receipt is taken to be that of time and `clock_backwards` is
 * never raised here.
 */
export function makeTimestreamBinSource(
  target: TimestreamQueryTarget & { readonly registry: SensorRegistry },
): HourlyBinSource {
  return {
    async bins(range: HourRange): Promise<SensorHourBin[]> {
      const read = { from: range.from - HOUR_MS, to: range.to };
      const rows = parseRows(
        readingRowSchema,
        await queryOrNothing(target, renderSql(HOURLY_READINGS_SQL, target, read)),
        "reading",
      );
      const bySensor = new Map<string, StoredSeriesReading[]>();
      for (const row of rows) {
        const reading: StoredSeriesReading = {
          timestamp: row.time,
          receivedAt: row.time,
          pm25: row.pm25,
          ...(row.pm25_b === undefined || row.pm25_b === null ? {} : { pm25B: row.pm25_b }),
          temperature: row.temperature,
          humidity: row.humidity,
          co2: row.co2,
        };
        const own = bySensor.get(row.sensor_id);
        if (own === undefined) bySensor.set(row.sensor_id, [reading]);
        else own.push(reading);
      }
      return binReadings(
        [...bySensor].flatMap(([sensorId, series]) =>
          judgeSeries(sensorId, series, target.registry, range).map(({ reading }) => reading),
        ),
      );
    },
  };
}

/** The hourly_aggregates table read back (sql/timestream/hourly-aggregates.sql). */
export function makeTimestreamHourlySource(target: TimestreamQueryTarget): HourlyAggregateSource {
  return {
    async hourly(range: HourRange): Promise<HourlyAggregate[]> {
      const rows = await queryOrNothing(target, renderSql(HOURLY_AGGREGATES_SQL, target, range));
      return parseRows(hourlyRowSchema, rows, "hourly aggregate").map((row) => ({
        sensorId: row.sensor_id,
        locationName: row.location_name,
        zone: row.zone,
        city: row.city,
        hourStart: row.time,
        readings: row.readings,
        expectedReadings: row.expected_readings,
        completeness: row.completeness,
        coverage: row.coverage ?? 0,
        measures: statsFromRow(row),
        flags: parseFlagCounts(row.flag_counts ?? null),
        nowcastPm25: row.nowcast_pm25 ?? null,
      }));
    },
  };
}
