/**
 * Quality flags: a reading can pass the contract and still be suspect. A flagged reading is
 * stored with its flags and never dropped; official figures leave it out, raw figures keep it.
 * Flags that a reading shows on its own are set at ingest; those that need its neighbours (the
 * readings before and after it) are set by the roll-up of its hour, which has them at hand.
 */
import { CORRECTIONS, type CorrectionId, correctionLabel, correctPm25 } from "./correction.js";

export const QUALITY_FLAGS = [
  "stuck",
  "spike",
  "fog",
  "clock_backwards",
  "co2_below_background",
  "channel_disagreement",
  "no_humidity",
] as const;
export type QualityFlag = (typeof QUALITY_FLAGS)[number];

/** Consecutive equal PM2.5 values that make a sensor stuck. */
export const STUCK_RUN = 3;

/**
 * Optical PM sensors lose their calibration near saturation: at 95 % RH and above, droplets
 * are counted as particles (fog), which no humidity correction was fitted on.
 */
export const FOG_HUMIDITY = 95;
/**
 * The outdoor CO2 background: the global mean has been above 400 ppm since 2015 (NOAA Global
 * Monitoring Laboratory, Mauna Loa and global marine surface records). An outdoor reading below
 * it is a sensor out of calibration.
 */
export const CO2_BACKGROUND_PPM = 400;
/**
 * A PM channel pair disagrees when its two values differ by more than 5 ug/m3 and by more than
 * 70 % of their mean: the data-cleaning criterion of Barkjohn et al. 2021 (AMT 14, 4617), applied
 * on the AirNow Fire and Smoke Map.
 */
export const CHANNEL_ABSOLUTE_LIMIT = 5;
export const CHANNEL_RELATIVE_LIMIT = 0.7;
/**
 * A spike is a value at least this many times the mean of its neighbours (up to two readings on
 * each side) and at least SPIKE_MIN_EXCESS above it, so that clean air going from 1 to 5 ug/m3
 * is no spike.
 */
export const SPIKE_FACTOR = 4;
export const SPIKE_MIN_EXCESS = 25;
const SPIKE_NEIGHBOURS = 2;

/** What the flags and the correction of a reading need of it. */
export interface QualityInput {
  readonly pm25: number;
  readonly pm25B?: number;
  readonly humidity: number | null;
  readonly co2: number;
}

export interface Assessment {
  readonly flags: readonly QualityFlag[];
  /** The corrected PM2.5, null when it cannot be computed (no humidity). */
  readonly pm25Corrected: number | null;
  /** The label of the correction applied (identifier@version). */
  readonly correction: string;
}

/** Two PM channels that disagree by both bounds. */
export function channelsDisagree(a: number, b: number): boolean {
  const difference = Math.abs(a - b);
  const mean = (a + b) / 2;
  return difference > CHANNEL_ABSOLUTE_LIMIT && mean > 0 && difference / mean > CHANNEL_RELATIVE_LIMIT;
}

/**
 * A reading's ingest flags and its corrected PM2.5. The EPA corrections take the mean of the two
 * channels where there are two and they agree, and the first channel otherwise.
 */
export function assessReading(reading: QualityInput, correction: CorrectionId): Assessment {
  const flags: QualityFlag[] = [];
  const { pm25, pm25B, humidity, co2 } = reading;
  const disagree = pm25B !== undefined && channelsDisagree(pm25, pm25B);
  if (humidity !== null && humidity >= FOG_HUMIDITY) flags.push("fog");
  if (co2 < CO2_BACKGROUND_PPM) flags.push("co2_below_background");
  if (disagree) flags.push("channel_disagreement");
  const input = pm25B === undefined || disagree ? pm25 : (pm25 + pm25B) / 2;
  const pm25Corrected = correctPm25(correction, input, humidity);
  if (pm25Corrected === null && CORRECTIONS[correction].needsHumidity) flags.push("no_humidity");
  // Most readings raise no flag, and ingest assesses every one: they share one empty list.
  return { flags: flags.length === 0 ? NO_FLAGS : flags, pm25Corrected, correction: correctionLabel(correction) };
}

const NO_FLAGS: readonly QualityFlag[] = Object.freeze([]);

/** Flags in QUALITY_FLAGS order, each once. */
export function orderFlags(flags: Iterable<QualityFlag>): QualityFlag[] {
  const set = new Set(flags);
  return QUALITY_FLAGS.filter((flag) => set.has(flag));
}

/** What the neighbour flags need of a reading of one sensor. */
export interface NeighbourInput {
  readonly timestamp: number;
  readonly receivedAt: number;
  readonly pm25: number;
}

/**
 * The neighbour flags of one sensor's readings, given in any order; returns, per reading (same
 * index), the neighbour flags it raises. Readings before those being judged belong in the input
 * (a stuck run or a spike can straddle an hour's start); their flags come back too.
 * - stuck: part of a run of STUCK_RUN or more consecutive readings (by time) with the same PM2.5;
 * - spike: SPIKE_FACTOR times the mean PM2.5 of up to two readings on each side, and
 *   SPIKE_MIN_EXCESS above it;
 * - clock_backwards: a timestamp earlier than that of a reading received before it, inside a
 *   span the sensor had already reported (within one reporting interval of a reading received
 *   before it). A backlog sent after an outage also arrives after newer readings, but fills a
 *   gap: that is late data, not a clock running backwards.
 */
export function neighbourFlags(readings: readonly NeighbourInput[], reportingIntervalMs: number): QualityFlag[][] {
  const flags: QualityFlag[][] = readings.map(() => []);
  const byTime = readings.map((_, index) => index).sort((a, b) => timeOf(readings, a) - timeOf(readings, b));
  const pm25At = (position: number): number => readings[byTime[position] ?? 0]?.pm25 ?? 0;

  let runStart = 0;
  for (let position = 1; position <= byTime.length; position++) {
    if (position < byTime.length && pm25At(position) === pm25At(runStart)) continue;
    if (position - runStart >= STUCK_RUN) {
      for (let member = runStart; member < position; member++) flags[byTime[member] ?? 0]?.push("stuck");
    }
    runStart = position;
  }

  for (let position = 0; position < byTime.length; position++) {
    const around: number[] = [];
    for (let offset = 1; offset <= SPIKE_NEIGHBOURS; offset++) {
      if (position - offset >= 0) around.push(pm25At(position - offset));
      if (position + offset < byTime.length) around.push(pm25At(position + offset));
    }
    if (around.length === 0) continue;
    const mean = around.reduce((total, value) => total + value, 0) / around.length;
    const value = pm25At(position);
    if (value >= SPIKE_FACTOR * mean && value - mean >= SPIKE_MIN_EXCESS) flags[byTime[position] ?? 0]?.push("spike");
  }

  const byReceipt = readings
    .map((_, index) => index)
    .sort(
      (a, b) =>
        (readings[a]?.receivedAt ?? 0) - (readings[b]?.receivedAt ?? 0) || timeOf(readings, a) - timeOf(readings, b),
    );
  const received: number[] = [];
  for (const index of byReceipt) {
    const timestamp = timeOf(readings, index);
    const at = insertionPoint(received, timestamp);
    const before = received[at - 1];
    const after = received[at];
    const reported = (other: number | undefined) =>
      other !== undefined && Math.abs(other - timestamp) < reportingIntervalMs;
    if (after !== undefined && (reported(before) || reported(after))) flags[index]?.push("clock_backwards");
    received.splice(at, 0, timestamp);
  }
  return flags;
}

/** Where `value` goes in the ascending `sorted`. */
function insertionPoint(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] ?? 0) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function timeOf(readings: readonly NeighbourInput[], index: number): number {
  return readings[index]?.timestamp ?? 0;
}

/** Readings counted by flag: what every roll-up row keeps beside its figures. */
export type FlagCounts = Readonly<Partial<Record<QualityFlag, number>>>;

export function addFlagCounts(a: FlagCounts, b: FlagCounts): FlagCounts {
  const total: Partial<Record<QualityFlag, number>> = { ...a };
  for (const flag of QUALITY_FLAGS) {
    const count = b[flag];
    if (count !== undefined && count > 0) total[flag] = (total[flag] ?? 0) + count;
  }
  return total;
}

/** Parses stored flags (a JSON array of codes), ignoring codes this version does not know. */
export function parseFlags(text: string | null | undefined): QualityFlag[] {
  if (text === null || text === undefined || text === "") return [];
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return [];
  return orderFlags(parsed.filter((code): code is QualityFlag => (QUALITY_FLAGS as readonly unknown[]).includes(code)));
}

/** A stored reading of one sensor as the roll-up judges it again. */
export interface SeriesReading extends NeighbourInput, QualityInput {}

/**
 * Each reading of one sensor assessed as its hour's roll-up sees it: its correction recomputed
 * from the raw value (so that readings stored before a formula, or inserted by hand, get it),
 * its own flags and those its neighbours raise, in the order given.
 */
export function assessSeries(
  readings: readonly SeriesReading[],
  correction: CorrectionId,
  reportingIntervalMs: number,
): Assessment[] {
  const neighbours = neighbourFlags(readings, reportingIntervalMs);
  return readings.map((reading, index) => {
    const own = assessReading(reading, correction);
    return { ...own, flags: orderFlags([...own.flags, ...(neighbours[index] ?? [])]) };
  });
}

/** Flag counts read back from a store (an object, or its JSON text); unknown codes and zeros dropped. */
export function parseFlagCounts(stored: unknown): FlagCounts {
  const value: unknown = typeof stored === "string" ? JSON.parse(stored) : stored;
  if (typeof value !== "object" || value === null) return {};
  const counts: Partial<Record<QualityFlag, number>> = {};
  for (const flag of QUALITY_FLAGS) {
    const count: unknown = (value as Record<string, unknown>)[flag];
    if (typeof count === "number" && count > 0) counts[flag] = count;
  }
  return counts;
}
