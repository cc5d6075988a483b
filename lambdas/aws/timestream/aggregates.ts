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
import { type FlagCounts, INGEST_FLAGS, parseFlagCounts } from "../../core/quality.js";
import { ZONES } from "../../core/sensor.js";
import * as z from "../../core/zod.js";
import type {
  HourlyAggregateSource,
  HourlyAggregateWriter,
  HourlyBinSource,
  ZoneAggregateWriter,
} from "../../ports.js";
import { type QueryRow, queryAll } from "./query.js";
import { hourlyRecord, type TimestreamRecord, zoneRecord } from "./records.js";
import { HOURLY_AGGREGATES_SQL, HOURLY_BINS_SQL, renderSql, type SqlTarget } from "./sql.js";
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

/** The flags ingest sets, counted by hourly-bins.sql as flag_<code>. */
const flagColumns = Object.fromEntries(INGEST_FLAGS.map((flag) => [`flag_${flag}`, statColumn]));

const binRowSchema = z.object({
  sensor_id: z.string(),
  hour_start: z.number(),
  readings: z.number(),
  ...statsColumns,
  ...flagColumns,
});

function flagsFromRow(row: Readonly<Record<string, unknown>>): FlagCounts {
  return parseFlagCounts(Object.fromEntries(INGEST_FLAGS.map((flag) => [flag, row[`flag_${flag}`]])));
}

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

/** The measurements table binned by sensor and hour (sql/timestream/hourly-bins.sql). */
export function makeTimestreamBinSource(target: TimestreamQueryTarget): HourlyBinSource {
  return {
    async bins(range: HourRange): Promise<SensorHourBin[]> {
      const rows = await queryOrNothing(target, renderSql(HOURLY_BINS_SQL, target, range));
      return parseRows(binRowSchema, rows, "hourly bin").map((row) => ({
        sensorId: row.sensor_id,
        hourStart: row.hour_start,
        readings: row.readings,
        measures: statsFromRow(row),
        flags: flagsFromRow(row),
      }));
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
