/**
 * The measures a reading carries and every roll-up keeps: the one list. Alert rules watch them
 * (per reading, or their hourly means), the stores keep count, sum, min and max of each. A new
 * measure (corrected PM2.5, say) is one more entry here.
 */
export const MEASURES = ["pm25", "temperature", "humidity", "co2"] as const;
export type Measure = (typeof MEASURES)[number];

/** A record with one value per measure. */
export function mapMeasures<T>(f: (measure: Measure) => T): Readonly<Record<Measure, T>> {
  return Object.fromEntries(MEASURES.map((measure) => [measure, f(measure)])) as Record<Measure, T>;
}
