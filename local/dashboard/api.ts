/**
 * What the dashboard's server sends its page: the JSON of `/api/overview`, `/api/sensors/{id}/series`
 * and the Server-Sent Events of `/api/events`, in snake case as the CLI's JSON, and the class
 * names the page gives what it draws. The server and the page both import it.
 */
import type { AqiCategory } from "../../lambdas/core/aggregates.js";

export interface LatestReading {
  /** ISO 8601 UTC: the reading's own time. */
  readonly timestamp: string;
  readonly pm25: number;
  readonly pm25_corrected: number | null;
  readonly temperature: number;
  readonly humidity: number;
  readonly co2: number;
}

/** The category a marker is coloured by: the NowCast's AQI, or the latest hour's mean until a NowCast exists. */
export interface MarkerAqi {
  readonly basis: "nowcast" | "hour_mean";
  /** ISO 8601 UTC: the hour the figure is for. */
  readonly hour: string;
  readonly concentration: number;
  readonly aqi: number;
  readonly category: AqiCategory;
}

export interface SensorView {
  readonly sensor_id: string;
  readonly location_name: string;
  readonly zone: string;
  readonly city: string;
  readonly latitude: number;
  readonly longitude: number;
  readonly latest: LatestReading | null;
  readonly aqi: MarkerAqi | null;
}

export interface ZoneRank {
  readonly rank: number | null;
  readonly zone: string;
  readonly pm25_mean: number | null;
  readonly aqi: number | null;
  readonly aqi_category: string | null;
  readonly active_sensors: number;
  readonly sensors: number;
}

export interface OpenAlert {
  readonly sensor_id: string;
  readonly rule_id: string;
  readonly severity: string | null;
  readonly opened_at: string;
}

export interface HourlyRollupRow {
  readonly sensor_id: string;
  readonly pm25_mean: number | null;
  readonly nowcast_pm25: number | null;
  readonly completeness: number;
  readonly coverage: number | null;
}

export interface QuarantineCount {
  readonly reason: string;
  readonly count: number;
  /** Of those, the ones no replay got stored yet. */
  readonly pending: number;
}

export interface Overview {
  readonly at: string;
  readonly sensors: readonly SensorView[];
  /** The newest zone roll-up, best first. */
  readonly zones: { readonly hour: string | null; readonly ranking: readonly ZoneRank[] };
  readonly open_alerts: readonly OpenAlert[];
  /** The newest hourly roll-up. */
  readonly rollups: { readonly hour: string | null; readonly rows: readonly HourlyRollupRow[] };
  readonly quarantine: readonly QuarantineCount[];
}

export type SeriesMeasure = "pm25" | "pm25_corrected" | "humidity" | "co2";

export interface Threshold {
  readonly measure: SeriesMeasure;
  readonly value: number;
  /** What the line is: an alert rule's id, or a quality flag. */
  readonly source: string;
}

/** A sensor's last 24 hours, one point a minute (the minute's mean), oldest first. */
export interface Series {
  readonly sensor_id: string;
  /** Epoch seconds of each minute. */
  readonly times: readonly number[];
  readonly values: Readonly<Record<SeriesMeasure, readonly (number | null)[]>>;
  readonly thresholds: readonly Threshold[];
}

/** The event `reading` of the live stream: one stored reading. */
export interface LiveReading extends LatestReading {
  readonly sensor_id: string;
}

/** The event `alert`: an alert notice as published on MQTT (lambdas/core/alerts.ts AlertNotice). */
export interface LiveAlert {
  readonly sensorId: string;
  readonly ruleId: string;
  readonly severity: string;
  readonly state: string;
  readonly value: number;
  readonly threshold: number;
  readonly at: string;
}

export type LiveEventName = "reading" | "alert" | "rollup";

/** The class of a marker or a sensor's entry for its AQI category, e.g. aqi-unhealthy-for-sensitive-groups. */
export const categoryClass = (category: AqiCategory | null): string =>
  category === null ? "aqi-none" : `aqi-${category.toLowerCase().replaceAll(" ", "-")}`;
