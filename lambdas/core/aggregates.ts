import type { Measure } from "./measures.js";
import type { Zone } from "./sensor.js";

/**
 * Count, sum, min and max of one measure: enough to combine roll-ups exactly (a mean of a group
 * is the sum of sums over the sum of counts). min and max are null when count is 0.
 */
export interface MeasureStats {
  readonly count: number;
  readonly sum: number;
  readonly min: number | null;
  readonly max: number | null;
}

export type MeasureStatsByMeasure = Readonly<Record<Measure, MeasureStats>>;

/** Hours [from, to) as epoch ms, both on an hour boundary. */
export interface HourRange {
  readonly from: number;
  readonly to: number;
}

/** What the store gives for one sensor and one hour: its readings binned, nothing else. */
export interface SensorHourBin {
  readonly sensorId: string;
  /** Epoch ms of the hour's start. */
  readonly hourStart: number;
  readonly readings: number;
  readonly measures: MeasureStatsByMeasure;
}

/** One sensor's hour, as written to `hourly_aggregates`. A registry sensor that said nothing has readings 0. */
export interface HourlyAggregate {
  readonly sensorId: string;
  readonly locationName: string;
  readonly zone: Zone;
  readonly city: string;
  /** Epoch ms of the hour's start. */
  readonly hourStart: number;
  readonly readings: number;
  /** Coverage: readings the sensor's reporting interval promises in an hour. */
  readonly expectedReadings: number;
  /** readings / expectedReadings, capped at 1. */
  readonly completeness: number;
  readonly measures: MeasureStatsByMeasure;
}

/** The seed's evaluation of a zone's mean PM2.5 (query 4). */
export const EVALUATIONS = ["EXCELLENT", "MODERATE", "POOR", "CRITICAL"] as const;
export type Evaluation = (typeof EVALUATIONS)[number];

export const AQI_CATEGORIES = [
  "Good",
  "Moderate",
  "Unhealthy for Sensitive Groups",
  "Unhealthy",
  "Very Unhealthy",
  "Hazardous",
] as const;
export type AqiCategory = (typeof AQI_CATEGORIES)[number];

/** One zone's hour, as written to `zone_aggregates`. Figures are null when the zone had no reading. */
export interface ZoneAggregate {
  readonly zone: Zone;
  /** Epoch ms of the hour's start. */
  readonly hourStart: number;
  /** Registry sensors of the zone (silent ones included). */
  readonly sensors: number;
  /** Sensors that sent at least one reading in the hour. */
  readonly activeSensors: number;
  readonly readings: number;
  readonly expectedReadings: number;
  readonly completeness: number;
  readonly measures: MeasureStatsByMeasure;
  /** Count-weighted means: sum of sums / sum of counts. */
  readonly means: Readonly<Record<Measure, number | null>>;
  /** 1 is the cleanest air; zones whose means round to the same 0.01 share a rank. */
  readonly rank: number | null;
  readonly evaluation: Evaluation | null;
  readonly aqi: number | null;
  readonly aqiCategory: AqiCategory | null;
}

/** What `kaikai/aggregates/hourly` carries after a roll-up of one hour. */
export interface HourlySummary {
  /** ISO 8601 hour start. */
  readonly hour: string;
  readonly version: number;
  readonly sensors: readonly {
    readonly sensorId: string;
    readonly zone: Zone;
    readonly readings: number;
    readonly completeness: number;
    readonly pm25Mean: number | null;
  }[];
}

/** What `kaikai/aggregates/zones` carries after a zone roll-up of one hour: the ranking, best first. */
export interface ZoneSummary {
  /** ISO 8601 hour start. */
  readonly hour: string;
  readonly version: number;
  readonly ranking: readonly {
    readonly rank: number | null;
    readonly zone: Zone;
    readonly pm25Mean: number | null;
    readonly evaluation: Evaluation | null;
    readonly aqi: number | null;
    readonly aqiCategory: AqiCategory | null;
    readonly sensors: number;
    readonly readings: number;
    readonly completeness: number;
  }[];
}
