import type { TimestreamQueryClient } from "@aws-sdk/client-timestream-query";
import { type TimestreamWriteClient, WriteRecordsCommand } from "@aws-sdk/client-timestream-write";
import {
  type HourlyAggregate,
  type HourRange,
  MEASURES,
  type Measure,
  type MeasureStats,
  type MeasureStatsByMeasure,
  type SensorHourBin,
  type ZoneAggregate,
} from "../core/aggregates.js";
import { mapMeasures } from "../core/rollup.js";
import * as z from "../core/schema.js";
import { ZONES } from "../core/sensor.js";
import type {
  MeasureType,
  TimestreamDimension,
  TimestreamMeasure,
  TimestreamRecord,
} from "../core/timestream-record.js";
import type { HourlyAggregateSource, HourlyAggregateWriter, HourlyBinSource, ZoneAggregateWriter } from "../ports.js";
import { type QueryRow, queryAll } from "./timestream-query.js";
import { HOURLY_AGGREGATES_SQL, HOURLY_BINS_SQL, renderSql, type SqlTarget } from "./timestream-sql.js";
import { TIMESTREAM_MAX_RECORDS_PER_WRITE } from "./timestream-store.js";

/** Multi-measure record names of the roll-up tables. */
export const SENSOR_HOUR_MEASURE_NAME = "sensor_hour";
const ZONE_HOUR_MEASURE_NAME = "zone_hour";

const measure = (Name: string, Value: string | number, Type: MeasureType): TimestreamMeasure => ({
  Name,
  Value: String(Value),
  Type,
});
const dimension = (Name: string, Value: string): TimestreamDimension => ({
  Name,
  Value,
  DimensionValueType: "VARCHAR",
});

/** count, sum, min, max and mean of each measure; min, max and mean are left out when count is 0. */
function statsMeasures(measures: MeasureStatsByMeasure): TimestreamMeasure[] {
  return MEASURES.flatMap((name) => {
    const stats = measures[name];
    const values = [measure(`${name}_count`, stats.count, "BIGINT"), measure(`${name}_sum`, stats.sum, "DOUBLE")];
    if (stats.count > 0 && stats.min !== null && stats.max !== null) {
      values.push(
        measure(`${name}_min`, stats.min, "DOUBLE"),
        measure(`${name}_max`, stats.max, "DOUBLE"),
        measure(`${name}_mean`, stats.sum / stats.count, "DOUBLE"),
      );
    }
    return values;
  });
}

/** One multi-measure record per hour; the run time as version, so a re-run overwrites the hour. */
function hourRecord(
  measureName: string,
  key: TimestreamDimension,
  hourStart: number,
  values: TimestreamMeasure[],
  version: number,
): TimestreamRecord {
  return {
    Dimensions: [key],
    MeasureName: measureName,
    MeasureValueType: "MULTI",
    MeasureValues: values,
    Time: String(hourStart),
    TimeUnit: "MILLISECONDS",
    Version: version,
  };
}

/** Left out when null: Timestream has no null measure value. */
const optionalMeasure = (name: string, value: string | number | null, type: MeasureType): TimestreamMeasure[] =>
  value === null ? [] : [measure(name, value, type)];

/**
 * sensor_id is the only dimension: a record is keyed by its dimensions and time, so a re-run
 * overwrites the hour even if the registry moved the sensor to another zone in between.
 */
function hourlyRecord(row: HourlyAggregate, version: number): TimestreamRecord {
  return hourRecord(
    SENSOR_HOUR_MEASURE_NAME,
    dimension("sensor_id", row.sensorId),
    row.hourStart,
    [
      measure("location_name", row.locationName, "VARCHAR"),
      measure("zone", row.zone, "VARCHAR"),
      measure("city", row.city, "VARCHAR"),
      measure("readings", row.readings, "BIGINT"),
      measure("expected_readings", row.expectedReadings, "DOUBLE"),
      measure("completeness", row.completeness, "DOUBLE"),
      ...statsMeasures(row.measures),
    ],
    version,
  );
}

function zoneRecord(row: ZoneAggregate, version: number): TimestreamRecord {
  return hourRecord(
    ZONE_HOUR_MEASURE_NAME,
    dimension("zone", row.zone),
    row.hourStart,
    [
      measure("sensors", row.sensors, "BIGINT"),
      measure("active_sensors", row.activeSensors, "BIGINT"),
      measure("readings", row.readings, "BIGINT"),
      measure("expected_readings", row.expectedReadings, "DOUBLE"),
      measure("completeness", row.completeness, "DOUBLE"),
      ...statsMeasures(row.measures),
      ...optionalMeasure("rank", row.rank, "BIGINT"),
      ...optionalMeasure("evaluation", row.evaluation, "VARCHAR"),
      ...optionalMeasure("aqi", row.aqi, "BIGINT"),
      ...optionalMeasure("aqi_category", row.aqiCategory, "VARCHAR"),
    ],
    version,
  );
}

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

const nullableNumber = z.nullable(z.number());
const statsColumns = Object.fromEntries(
  MEASURES.flatMap((name) => [
    [`${name}_count`, nullableNumber],
    [`${name}_sum`, nullableNumber],
    [`${name}_min`, nullableNumber],
    [`${name}_max`, nullableNumber],
  ]),
) as Record<`${Measure}_${"count" | "sum" | "min" | "max"}`, typeof nullableNumber>;

const binRowSchema = z.object({ sensor_id: z.string(), hour_start: z.number(), readings: z.number(), ...statsColumns });

const hourlyRowSchema = z.extend(binRowSchema, {
  location_name: z.string(),
  zone: z.enum(ZONES),
  city: z.string(),
  expected_readings: z.number(),
  completeness: z.number(),
});

function statsFromRow(row: z.infer<typeof binRowSchema>): MeasureStatsByMeasure {
  return mapMeasures(
    (name): MeasureStats => ({
      count: row[`${name}_count`] ?? 0,
      sum: row[`${name}_sum`] ?? 0,
      min: row[`${name}_min`],
      max: row[`${name}_max`],
    }),
  );
}

function parseRows<T extends z.ZodMiniType>(schema: T, rows: readonly QueryRow[], what: string): z.infer<T>[] {
  return rows.map((row, index) => {
    const parsed = schema.safeParse(row);
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

/** The measurements table binned by sensor and hour (sql/timestream/hourly_bins.sql). */
export function makeTimestreamBinSource(target: TimestreamQueryTarget): HourlyBinSource {
  return {
    async bins(range: HourRange): Promise<SensorHourBin[]> {
      const rows = await queryOrNothing(target, renderSql(HOURLY_BINS_SQL, target, range));
      return parseRows(binRowSchema, rows, "hourly bin").map((row) => ({
        sensorId: row.sensor_id,
        hourStart: row.hour_start,
        readings: row.readings,
        measures: statsFromRow(row),
      }));
    },
  };
}

/** The hourly_aggregates table read back (sql/timestream/hourly_aggregates.sql). */
export function makeTimestreamHourlySource(target: TimestreamQueryTarget): HourlyAggregateSource {
  return {
    async hourly(range: HourRange): Promise<HourlyAggregate[]> {
      const rows = await queryOrNothing(target, renderSql(HOURLY_AGGREGATES_SQL, target, range));
      return parseRows(hourlyRowSchema, rows, "hourly aggregate").map((row) => ({
        sensorId: row.sensor_id,
        locationName: row.location_name,
        zone: row.zone,
        city: row.city,
        hourStart: row.hour_start,
        readings: row.readings,
        expectedReadings: row.expected_readings,
        completeness: row.completeness,
        measures: statsFromRow(row),
      }));
    },
  };
}
