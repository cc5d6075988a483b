/**
 * DynamoDB's shape of the pipeline's data. A reading is one item of the readings table, keyed by
 * `sensor_id` and `timestamp` (epoch ms) and carrying the contract's field names, so that a
 * sensor's hour is one key-range Query. The roll-ups share one aggregates table: a partition per
 * kind and hour (`sensor_hour#<hour>`, `zone_hour#<hour>`), an item per sensor or zone in it, so
 * that the zone roll-up reads an hour of sensors with one Query.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { HourlyAggregate, MeasureStats, ZoneAggregate } from "../../core/aggregates.js";
import { type Measure, mapMeasures } from "../../core/measures.js";
import { parseFlagCounts } from "../../core/quality.js";
import type { EnrichedReading } from "../../core/reading.js";
import { ZONES } from "../../core/sensor.js";
import * as z from "../../core/zod.js";

export type Item = Record<string, AttributeValue>;

/** The attributes of a reading that the sensor sent: an identical re-send repeats all of them. */
export const READING_VALUE_ATTRIBUTES = [
  "pm25",
  "temperature",
  "humidity",
  "co2",
  "pm25_b",
  "battery",
  "rssi",
  "firmware",
] as const;

/** The table's TTL attribute: epoch seconds after which DynamoDB deletes the item. */
export const EXPIRES_AT = "expires_at";

/** A reading as an item, expiring `retentionMs` after its own time. */
export function readingItem(reading: EnrichedReading, retentionMs: number): Item {
  return marshall(
    {
      sensor_id: reading.sensorId,
      timestamp: reading.timestamp,
      pm25: reading.pm25,
      temperature: reading.temperature,
      humidity: reading.humidity,
      co2: reading.co2,
      pm25_b: reading.pm25B,
      battery: reading.battery,
      rssi: reading.rssi,
      firmware: reading.firmware,
      location_name: reading.locationName,
      zone: reading.zone,
      city: reading.city,
      received_at: reading.receivedAt,
      // Beside the raw values, never instead of them; the ingest flags (the roll-up adds its neighbours').
      pm25_corrected: reading.pm25Corrected ?? undefined,
      correction: reading.correction,
      quality_flags: [...reading.flags],
      [EXPIRES_AT]: Math.floor((reading.timestamp + retentionMs) / 1000),
    },
    { removeUndefinedValues: true },
  );
}

/** The attributes of READING_VALUE_ATTRIBUTES that differ between a stored item and a new one. */
export function differingValues(stored: Item, sent: Item): string[] {
  const before = unmarshall(stored);
  const after = unmarshall(sent);
  return READING_VALUE_ATTRIBUTES.filter((name) => before[name] !== after[name]).map(
    (name) => `${name} ${String(before[name] ?? "null")} (sent ${String(after[name] ?? "null")})`,
  );
}

export const sensorHourPartition = (hourStart: number): string => `sensor_hour#${new Date(hourStart).toISOString()}`;
export const zoneHourPartition = (hourStart: number): string => `zone_hour#${new Date(hourStart).toISOString()}`;

function statsAttributes(measures: Readonly<Record<Measure, MeasureStats>>): Record<string, number | null> {
  return Object.fromEntries(
    Object.entries(measures).flatMap(([name, stats]) => [
      [`${name}_count`, stats.count],
      [`${name}_sum`, stats.sum],
      [`${name}_min`, stats.min],
      [`${name}_max`, stats.max],
    ]),
  );
}

export function hourlyItem(row: HourlyAggregate, version: number): Item {
  return marshall({
    pk: sensorHourPartition(row.hourStart),
    sk: row.sensorId,
    sensor_id: row.sensorId,
    location_name: row.locationName,
    zone: row.zone,
    city: row.city,
    hour_start: row.hourStart,
    readings: row.readings,
    expected_readings: row.expectedReadings,
    completeness: row.completeness,
    coverage: row.coverage,
    flag_counts: row.flags,
    ...statsAttributes(row.measures),
    nowcast_pm25: row.nowcastPm25,
    version,
  });
}

export function zoneItem(row: ZoneAggregate, version: number): Item {
  return marshall({
    pk: zoneHourPartition(row.hourStart),
    sk: row.zone,
    zone: row.zone,
    hour_start: row.hourStart,
    sensors: row.sensors,
    active_sensors: row.activeSensors,
    readings: row.readings,
    expected_readings: row.expectedReadings,
    completeness: row.completeness,
    coverage: row.coverage,
    flag_counts: row.flags,
    ...statsAttributes(row.measures),
    rank: row.rank,
    evaluation: row.evaluation,
    nowcast_pm25: row.nowcastPm25,
    aqi: row.aqi,
    aqi_category: row.aqiCategory,
    version,
  });
}

const hourlyItemSchema = z.object({
  sensor_id: z.string(),
  location_name: z.string(),
  zone: z.enum(ZONES),
  city: z.string(),
  hour_start: z.number(),
  readings: z.number(),
  expected_readings: z.number(),
  completeness: z.number(),
});

/** An hourly item read back; throws naming the item when it is not one. */
export function hourlyFromItem(item: Item): HourlyAggregate {
  const attributes: Record<string, unknown> = unmarshall(item);
  const parsed = hourlyItemSchema.safeParse(attributes, z.inEnglish);
  if (!parsed.success) {
    throw new Error(`hourly aggregate item has an unexpected shape: ${z.prettifyError(parsed.error)}`);
  }
  const row = parsed.data;
  // Numbers, or null for the min and max of an empty hour.
  const stat = (name: string): number | null => {
    const value = attributes[name];
    if (value === null || value === undefined) return null;
    if (typeof value !== "number") throw new Error(`hourly aggregate item: ${name} is not a number`);
    return value;
  };
  return {
    sensorId: row.sensor_id,
    locationName: row.location_name,
    zone: row.zone,
    city: row.city,
    hourStart: row.hour_start,
    readings: row.readings,
    expectedReadings: row.expected_readings,
    completeness: row.completeness,
    coverage: stat("coverage") ?? 0,
    flags: parseFlagCounts(attributes.flag_counts),
    measures: mapMeasures(
      (name): MeasureStats => ({
        count: stat(`${name}_count`) ?? 0,
        sum: stat(`${name}_sum`) ?? 0,
        min: stat(`${name}_min`),
        max: stat(`${name}_max`),
      }),
    ),
    nowcastPm25: stat("nowcast_pm25"),
  };
}
