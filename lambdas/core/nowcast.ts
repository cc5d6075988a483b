/**
 * The US EPA PM NowCast: the hourly estimate of the 24-hour PM2.5 average that AirNow reports as
 * the current AQI. Sources: EPA, "How the NowCast Works" (PM NowCast fact sheet,
 * https://nepis.epa.gov/Exe/ZyPURL.cgi?Dockey=P100X0J6.txt) and the Technical Assistance
 * Document EPA-454/B-24-002, section IV, "How the NowCast is calculated":
 *
 *   1. take the hourly means of the 12 most recent hours; select their minimum and maximum;
 *   2. scaled rate of change = (max - min) / max; weight factor w = 1 - that, at least 0.5;
 *   3. NowCast = sum(w^i * c_i) / sum(w^i), i the number of hours ago (0 for the latest hour);
 *   4. valid only when at least 2 of the 3 most recent hours have a mean;
 *   5. the NowCast is computed from the hourly values as they are and then truncated to
 *      0.1 ug/m3 for PM2.5; that concentration gives the AQI (AirNow-Tech, "The NowCast for
 *      PM2.5 and PM10", completeness and truncation).
 */

export const NOWCAST_HOURS = 12;
const MIN_WEIGHT_FACTOR = 0.5;
/** Of the 3 most recent hours, at least this many must have a mean. */
const MIN_RECENT_HOURS = 2;
const RECENT_HOURS = 3;

export interface NowCast {
  /** ug/m3, truncated to 0.1 as the AQI takes it. */
  readonly concentration: number;
  readonly weightFactor: number;
  /** Hours of the 12 that had a mean. */
  readonly hours: number;
}

/**
 * The NowCast of an hour from the hourly means of the hour and the 11 before it, newest first
 * (`hourlyMeans[0]` is the hour being reported; null where the hour had no reading). Returns
 * null when fewer than 2 of the 3 most recent hours have a mean. Extra entries are ignored.
 */
export function nowcastPm25(hourlyMeans: readonly (number | null)[]): NowCast | null {
  const hours = Math.min(NOWCAST_HOURS, hourlyMeans.length);
  let recent = 0;
  let present = 0;
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  // One pass for the extremes and the counts, one for the weighted mean: the hourly roll-up runs
  // this for every sensor and hour, 24,000 times in a backfill of a thousand sensors.
  for (let hoursAgo = 0; hoursAgo < hours; hoursAgo++) {
    const mean = hourlyMeans[hoursAgo];
    if (mean === null || mean === undefined) continue;
    const value = Math.max(0, mean);
    if (hoursAgo < RECENT_HOURS) recent += 1;
    present += 1;
    max = Math.max(max, value);
    min = Math.min(min, value);
  }
  if (recent < MIN_RECENT_HOURS) return null;
  // A flat zero has no rate of change: every hour weighs the same.
  const weightFactor = max === 0 ? 1 : Math.max(MIN_WEIGHT_FACTOR, 1 - (max - min) / max);
  let weighted = 0;
  let weights = 0;
  for (let hoursAgo = 0, weight = 1; hoursAgo < hours; hoursAgo++, weight *= weightFactor) {
    const mean = hourlyMeans[hoursAgo];
    if (mean === null || mean === undefined) continue;
    weighted += weight * Math.max(0, mean);
    weights += weight;
  }
  return { concentration: truncateTenth(weighted / weights), weightFactor, hours: present };
}

/** Truncation to 0.1 in integer tenths, so that 35.4 stays 35.4 and not 35.39999. */
const truncateTenth = (value: number): number => Math.floor(Math.round(value * 1e6) / 1e5) / 10;
