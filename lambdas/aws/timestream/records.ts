/**
 * Timestream's shape of the pipeline's data: a reading as one multi-measure record, a sensor's or
 * a zone's hour as another. A structural type stands in for the SDK's `_Record` so that building
 * records loads no client; WriteRecords takes them as they are.
 */
import type { HourlyAggregate, MeasureStatsByMeasure, ZoneAggregate } from "../../core/aggregates.js";
import { MEASURES } from "../../core/measures.js";

import type { EnrichedReading } from "../../core/reading.js";

export type MeasureType = "DOUBLE" | "BIGINT" | "VARCHAR" | "BOOLEAN";

export interface TimestreamDimension {
  readonly Name: string;
  readonly Value: string;
  readonly DimensionValueType: "VARCHAR";
}

export interface TimestreamMeasure {
  readonly Name: string;
  readonly Value: string;
  readonly Type: MeasureType;
}

export interface TimestreamRecord {
  readonly Dimensions: TimestreamDimension[];
  readonly MeasureName: string;
  readonly MeasureValueType: "MULTI";
  readonly MeasureValues: TimestreamMeasure[];
  /** Epoch ms, as a decimal string. */
  readonly Time: string;
  readonly TimeUnit: "MILLISECONDS";
  readonly Version: number;
}

/**
 * Dimensions identify the series and never change; what a reading says goes in measures, so
 * quality flags or corrected values arrive as new measures without touching existing series.
 */
export const READING_DIMENSIONS = ["sensor_id", "location_name", "zone", "city"] as const;

/** Multi-measure record names: one per kind of row, as the tables' SQL selects them. */
export const READING_MEASURE_NAME = "air_quality";
export const SENSOR_HOUR_MEASURE_NAME = "sensor_hour";
export const ZONE_HOUR_MEASURE_NAME = "zone_hour";

const dimension = (Name: string, Value: string): TimestreamDimension => ({
  Name,
  Value,
  DimensionValueType: "VARCHAR",
});
const measure = (Name: string, Value: string | number, Type: MeasureType): TimestreamMeasure => ({
  Name,
  Value: String(Value),
  Type,
});

interface SeriesDimensions {
  readonly locationName: string;
  readonly zone: string;
  readonly city: string;
  readonly dimensions: TimestreamDimension[];
}

function seriesDimensions(
  dimensionsBySensor: Map<string, SeriesDimensions>,
  { sensorId, locationName, zone, city }: EnrichedReading,
): TimestreamDimension[] {
  const cached = dimensionsBySensor.get(sensorId);
  if (cached?.locationName === locationName && cached.zone === zone && cached.city === city) {
    return cached.dimensions;
  }
  const dimensions = [
    dimension("sensor_id", sensorId),
    dimension("location_name", locationName),
    dimension("zone", zone),
    dimension("city", city),
  ];
  dimensionsBySensor.set(sensorId, { locationName, zone, city, dimensions });
  return dimensions;
}

/**
 * Exactly `String(value)`, faster for the values sensors send, which have at most one decimal:
 * V8's shortest round-trip conversion of a fractional double was most of the cost of a record,
 * while an integer converts cheaply. When `value` is the double nearest to tenths/10, the
 * shortest text that reads back as it is the integer part, a dot and the tenth digit.
 */
export function doubleText(value: number): string {
  const tenths = Math.round(value * 10);
  if (tenths / 10 !== value || !Number.isSafeInteger(tenths)) return String(value);
  const digit = Math.abs(tenths % 10);
  const whole = Math.trunc(tenths / 10);
  if (digit === 0) return String(whole);
  // -0.5: the integer part is -0, which String writes without its sign.
  return `${tenths < 0 && whole === 0 ? "-" : ""}${whole}.${digit}`;
}

/**
 * A mapper of readings to records, one per store. It builds the dimensions of each sensor's series
 * once and shares them between its records: the four objects and their array were five of the
 * thirteen objects of a record. They are keyed by sensor id and rebuilt when the registry changes
 * what a sensor's enrichment says. Records are never mutated once built (WriteRecords only
 * serialises them), so the sharing is invisible. Only registry sensors are enriched, so the map
 * holds one entry per registered sensor at most.
 */
export function makeReadingRecordMapper(): (reading: EnrichedReading) => TimestreamRecord {
  const dimensionsBySensor = new Map<string, SeriesDimensions>();
  return (reading) => readingRecord(reading, seriesDimensions(dimensionsBySensor, reading));
}

/**
 * The version of every reading record. One value for all: an identical re-send is the same record
 * again (a no-op), and one with other values is refused, so a stored reading never changes
 * (timestream/store.ts). Records written before readings were immutable carry their receive time
 * as version; a re-send of one is refused as a conflict even when its values are the same.
 */
export const READING_RECORD_VERSION = 1;

/** One record per reading. */
function readingRecord(reading: EnrichedReading, dimensions: TimestreamDimension[]): TimestreamRecord {
  const measures = [
    measure("pm25", doubleText(reading.pm25), "DOUBLE"),
    measure("temperature", doubleText(reading.temperature), "DOUBLE"),
    measure("humidity", doubleText(reading.humidity), "DOUBLE"),
    measure("co2", String(reading.co2), "BIGINT"),
  ];
  if (reading.pm25B !== undefined) measures.push(measure("pm25_b", doubleText(reading.pm25B), "DOUBLE"));
  // Beside the raw values, never instead of them: the correction and the flags ingest sets.
  if (reading.pm25Corrected !== null) {
    measures.push(measure("pm25_corrected", doubleText(reading.pm25Corrected), "DOUBLE"));
  }
  measures.push(
    measure("correction", reading.correction, "VARCHAR"),
    measure("quality_flags", reading.flags.length === 0 ? "[]" : JSON.stringify(reading.flags), "VARCHAR"),
  );
  if (reading.battery !== undefined) measures.push(measure("battery", doubleText(reading.battery), "DOUBLE"));
  if (reading.rssi !== undefined) measures.push(measure("rssi", String(reading.rssi), "BIGINT"));
  if (reading.firmware !== undefined) measures.push(measure("firmware", reading.firmware, "VARCHAR"));
  return {
    Dimensions: dimensions,
    MeasureName: READING_MEASURE_NAME,
    MeasureValueType: "MULTI",
    MeasureValues: measures,
    Time: String(reading.timestamp),
    TimeUnit: "MILLISECONDS",
    Version: READING_RECORD_VERSION,
  };
}

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

/** What every roll-up row says of its coverage and its measures. */
function coverageAndStats(row: HourlyAggregate | ZoneAggregate): TimestreamMeasure[] {
  return [
    measure("readings", row.readings, "BIGINT"),
    measure("expected_readings", row.expectedReadings, "DOUBLE"),
    measure("completeness", row.completeness, "DOUBLE"),
    measure("coverage", row.coverage, "DOUBLE"),
    measure("flag_counts", JSON.stringify(row.flags), "VARCHAR"),
    ...statsMeasures(row.measures),
  ];
}

/**
 * sensor_id is the only dimension: a record is keyed by its dimensions and time, so a re-run
 * overwrites the hour even if the registry moved the sensor to another zone in between.
 */
export function hourlyRecord(row: HourlyAggregate, version: number): TimestreamRecord {
  return hourRecord(
    SENSOR_HOUR_MEASURE_NAME,
    dimension("sensor_id", row.sensorId),
    row.hourStart,
    [
      measure("location_name", row.locationName, "VARCHAR"),
      measure("zone", row.zone, "VARCHAR"),
      measure("city", row.city, "VARCHAR"),
      ...coverageAndStats(row),
      ...optionalMeasure("nowcast_pm25", row.nowcastPm25, "DOUBLE"),
    ],
    version,
  );
}

export function zoneRecord(row: ZoneAggregate, version: number): TimestreamRecord {
  return hourRecord(
    ZONE_HOUR_MEASURE_NAME,
    dimension("zone", row.zone),
    row.hourStart,
    [
      measure("sensors", row.sensors, "BIGINT"),
      measure("active_sensors", row.activeSensors, "BIGINT"),
      ...coverageAndStats(row),
      ...optionalMeasure("rank", row.rank, "BIGINT"),
      ...optionalMeasure("evaluation", row.evaluation, "VARCHAR"),
      ...optionalMeasure("nowcast_pm25", row.nowcastPm25, "DOUBLE"),
      ...optionalMeasure("aqi", row.aqi, "BIGINT"),
      ...optionalMeasure("aqi_category", row.aqiCategory, "VARCHAR"),
    ],
    version,
  );
}
