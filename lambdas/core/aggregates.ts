import type { Measure } from "./measures.js";
import type { FlagCounts } from "./quality.js";
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
  /** Its readings counted by quality flag. */
  readonly flags: FlagCounts;
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
  /** Readings the official figures used (corrected, unflagged) / expectedReadings, capped at 1: OpenAQ's coverage. */
  readonly coverage: number;
  readonly measures: MeasureStatsByMeasure;
  /** Readings counted by quality flag. */
  readonly flags: FlagCounts;
  /**
   * The US EPA NowCast of PM2.5 for the hour (ug/m3, truncated to 0.1) from this hour's mean and
   * the 11 before it; null when fewer than 2 of the 3 latest hours had readings.
   */
  readonly nowcastPm25: number | null;
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
  readonly coverage: number;
  readonly measures: MeasureStatsByMeasure;
  readonly flags: FlagCounts;
  /** Count-weighted means: sum of sums / sum of counts. */
  readonly means: Readonly<Record<Measure, number | null>>;
  /** 1 is the cleanest air; zones whose means round to the same 0.01 share a rank. */
  readonly rank: number | null;
  /** The seed's evaluation (query 4) of the hour's mean PM2.5, on the seed's scale: not the AQI. */
  readonly evaluation: Evaluation | null;
  /** The NowCast of the zone's hourly official means, as for a sensor. */
  readonly nowcastPm25: number | null;
  /** The US EPA AQI (2024) of the NowCast: the hour's official figure. Null without a NowCast. */
  readonly aqi: number | null;
  readonly aqiCategory: AqiCategory | null;
}

/** One sensor's or zone's local day, as `kaikai/aggregates/daily` carries it. */
export interface DailyFigure {
  readonly hours: number;
  /** At least 18 of the day's 24 hours had readings. */
  readonly valid: boolean;
  /** ug/m3, the mean of the hourly means; null without any reading. */
  readonly pm25Mean: number | null;
  /** The daily AQI, of valid days only. */
  readonly aqi: number | null;
  readonly aqiCategory: AqiCategory | null;
  /** The strictest WHO 2021 24-hour level the valid mean meets (`AQG`, `IT-4` ... `IT-1`), or "above IT-1". */
  readonly whoLevel: string | null;
}

/** What `kaikai/aggregates/daily` carries after the hourly roll-up that completes a local day. */
export interface DailySummary {
  /** The local calendar date. */
  readonly day: string;
  readonly timeZone: string;
  readonly version: number;
  readonly sensors: readonly (DailyFigure & { readonly sensorId: string; readonly zone: Zone })[];
  readonly zones: readonly (DailyFigure & { readonly zone: Zone })[];
  readonly averaging: string;
}

/** What each published figure is averaged over, named in every summary and report. */
export const AVERAGING = {
  hourlyMean: "1-hour mean",
  nowcast: "NowCast (US EPA, 12-hour weighted)",
  dailyMean: "24-hour mean, local day",
  annualMean: "annual mean, 365 days",
} as const;

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
    readonly coverage: number;
    /** Raw. */
    readonly pm25Mean: number | null;
    /** Corrected, unflagged readings: the official mean. */
    readonly pm25CorrectedMean: number | null;
    readonly nowcastPm25: number | null;
    /** The AQI of the NowCast. */
    readonly aqi: number | null;
    readonly aqiCategory: AqiCategory | null;
  }[];
  readonly averaging: { readonly pm25Mean: string; readonly aqi: string };
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
    /** The seed's evaluation of pm25Mean, on the seed's scale. */
    readonly seedEvaluation: Evaluation | null;
    readonly nowcastPm25: number | null;
    /** The AQI of the NowCast. */
    readonly aqi: number | null;
    readonly aqiCategory: AqiCategory | null;
    readonly sensors: number;
    readonly readings: number;
    readonly completeness: number;
  }[];
  readonly averaging: { readonly pm25Mean: string; readonly aqi: string };
}
