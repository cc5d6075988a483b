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

/**
 * One record per reading. Version is the receive time: a replay of the same delivery rewrites the
 * same record with the same version (a no-op for Timestream), and a later delivery wins.
 */
export function toTimestreamRecord(reading: EnrichedReading): TimestreamRecord {
  const measures = [
    measure("pm25", String(reading.pm25), "DOUBLE"),
    measure("temperature", String(reading.temperature), "DOUBLE"),
    measure("humidity", String(reading.humidity), "DOUBLE"),
    measure("co2", String(reading.co2), "BIGINT"),
  ];
  if (reading.battery !== undefined) measures.push(measure("battery", String(reading.battery), "DOUBLE"));
  if (reading.rssi !== undefined) measures.push(measure("rssi", String(reading.rssi), "BIGINT"));
  if (reading.firmware !== undefined) measures.push(measure("firmware", reading.firmware, "VARCHAR"));
  return {
    Dimensions: [
      dimension("sensor_id", reading.sensorId),
      dimension("location_name", reading.locationName),
      dimension("zone", reading.zone),
      dimension("city", reading.city),
    ],
    MeasureName: READING_MEASURE_NAME,
    MeasureValueType: "MULTI",
    MeasureValues: measures,
    Time: String(reading.timestamp),
    TimeUnit: "MILLISECONDS",
    Version: reading.receivedAt,
  };
}
