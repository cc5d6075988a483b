import type { QualityFlag } from "./quality.js";

/**
 * The measures a reading carries and every roll-up keeps: the one list. Alert rules watch them
 * (per reading, or their hourly means), the stores keep count, sum, min and max of each.
 * `pm25_corrected` is the official PM2.5: the corrected value of the readings without a quality
 * flag (a flagged reading counts in `pm25`, never in it).
 */
export const MEASURES = ["pm25", "temperature", "humidity", "co2", "pm25_corrected"] as const;
export type Measure = (typeof MEASURES)[number];

/** What a reading must say for each measure to be read from it. */
export interface MeasuredReading {
  readonly pm25: number;
  readonly temperature: number;
  readonly humidity: number;
  readonly co2: number;
  readonly pm25Corrected: number | null;
  readonly flags: readonly QualityFlag[];
}

/** A reading's value of a measure; undefined for the official PM2.5 of a flagged or uncorrected reading. */
export function measureValue(reading: MeasuredReading, measure: Measure): number | undefined {
  if (measure !== "pm25_corrected") return reading[measure];
  return reading.flags.length === 0 && reading.pm25Corrected !== null ? reading.pm25Corrected : undefined;
}

/** A record with one value per measure. */
export function mapMeasures<T>(f: (measure: Measure) => T): Readonly<Record<Measure, T>> {
  return Object.fromEntries(MEASURES.map((measure) => [measure, f(measure)])) as Record<Measure, T>;
}
