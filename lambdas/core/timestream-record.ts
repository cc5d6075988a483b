/**
 * The mapping of a stored reading to one multi-measure Timestream record. A local structural
 * type stands in for the SDK's `_Record` so that the core imports no SDK; the AWS adapter passes
 * these records to WriteRecords as they are.
 */
import { READING_MEASURE_NAME } from "../env-keys.js";
import type { EnrichedReading } from "./reading.js";

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

const dimension = (Name: string, Value: string): TimestreamDimension => ({
  Name,
  Value,
  DimensionValueType: "VARCHAR",
});
const measure = (Name: string, Value: string, Type: MeasureType): TimestreamMeasure => ({ Name, Value, Type });

interface SeriesDimensions {
  readonly locationName: string;
  readonly zone: string;
  readonly city: string;
  readonly dimensions: TimestreamDimension[];
}

/**
 * The dimensions of each sensor's series, built once and shared by all its records: the four
 * objects and their array were five of the thirteen objects of a record. Keyed by sensor id and
 * rebuilt when the registry changes what a sensor's enrichment says. Records are never mutated
 * once built (WriteRecords only serialises them), so the sharing is invisible. Only registry
 * sensors are enriched, so the map holds one entry per registered sensor at most.
 */
const dimensionsBySensor = new Map<string, SeriesDimensions>();

function seriesDimensions({ sensorId, locationName, zone, city }: EnrichedReading): TimestreamDimension[] {
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
 * One record per reading. Version is the receive time: a replay of the same delivery rewrites the
 * same record with the same version (a no-op for Timestream), and a later delivery wins.
 */
export function toTimestreamRecord(reading: EnrichedReading): TimestreamRecord {
  const measures = [
    measure("pm25", doubleText(reading.pm25), "DOUBLE"),
    measure("temperature", doubleText(reading.temperature), "DOUBLE"),
    measure("humidity", doubleText(reading.humidity), "DOUBLE"),
    measure("co2", String(reading.co2), "BIGINT"),
  ];
  if (reading.battery !== undefined) measures.push(measure("battery", doubleText(reading.battery), "DOUBLE"));
  if (reading.rssi !== undefined) measures.push(measure("rssi", String(reading.rssi), "BIGINT"));
  if (reading.firmware !== undefined) measures.push(measure("firmware", reading.firmware, "VARCHAR"));
  return {
    Dimensions: seriesDimensions(reading),
    MeasureName: READING_MEASURE_NAME,
    MeasureValueType: "MULTI",
    MeasureValues: measures,
    Time: String(reading.timestamp),
    TimeUnit: "MILLISECONDS",
    Version: reading.receivedAt,
  };
}
