import {
  type AqiCategory,
  AVERAGING,
  type HourlyAggregate,
  type HourlySummary,
  type HourRange,
  type MeasureStats,
  type MeasureStatsByMeasure,
  type SensorHourBin,
  type ZoneAggregate,
  type ZoneSummary,
} from "./aggregates.js";
import { evaluatePm25, pm25Aqi } from "./aqi.js";
import { decimalMean } from "./decimal.js";
import { MEASURES, type Measure, type MeasuredReading, mapMeasures, measureValue } from "./measures.js";
import { NOWCAST_HOURS, nowcastPm25 } from "./nowcast.js";
import { addFlagCounts, assessSeries, type FlagCounts, type QualityFlag, type SeriesReading } from "./quality.js";
import { DEFAULT_REPORTING_INTERVAL_SECONDS, type SensorRegistry, type Zone } from "./sensor.js";
import { HOUR_MS, hourStartOf } from "./time.js";

export const EMPTY_STATS: MeasureStats = { count: 0, sum: 0, min: null, max: null };
export const NO_FLAGS: FlagCounts = {};

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

export function mergeStats(a: MeasureStats, b: MeasureStats): MeasureStats {
  return { count: a.count + b.count, sum: a.sum + b.sum, min: minOf(a.min, b.min), max: maxOf(a.max, b.max) };
}

/** The mean, exact at band edges when the readings had one decimal (see core/decimal.ts). */
export function meanOf(stats: MeasureStats): number | null {
  return stats.count === 0 ? null : decimalMean(stats.sum, stats.count);
}

export const EMPTY_MEASURES: MeasureStatsByMeasure = mapMeasures(() => EMPTY_STATS);

export function mergeMeasures(a: MeasureStatsByMeasure, b: MeasureStatsByMeasure): MeasureStatsByMeasure {
  return mapMeasures((measure) => mergeStats(a[measure], b[measure]));
}

/** Hour starts of [from, to), oldest first. */
export function hoursOf(range: HourRange): number[] {
  const hours: number[] = [];
  for (let hour = hourStartOf(range.from); hour < range.to; hour += HOUR_MS) hours.push(hour);
  return hours;
}

/** What binning needs of a reading: its sensor, its time, its measures and its flags. */
export interface BinnableReading extends MeasuredReading {
  readonly sensorId: string;
  readonly timestamp: number;
}

/**
 * Readings binned by sensor and hour: count, sum, min and max of each measure, and the readings
 * counted by flag. The local and DynamoDB stores read the readings and bin them here; Timestream
 * bins in its query, and the tests hold it to this.
 */
export function binReadings(readings: readonly BinnableReading[]): SensorHourBin[] {
  // Mutable running totals: a backfill bins a million readings, and a fresh object per reading
  // and measure left most of its time to the garbage collector.
  const bins = new Map<string, Bin>();
  for (const reading of readings) {
    const hourStart = hourStartOf(reading.timestamp);
    const key = `${reading.sensorId}\u0000${hourStart}`;
    let bin = bins.get(key);
    if (bin === undefined) {
      bin = { sensorId: reading.sensorId, hourStart, readings: 0, measures: emptyRunningStats(), flags: {} };
      bins.set(key, bin);
    }
    bin.readings++;
    for (const measure of MEASURES) {
      const value = measureValue(reading, measure);
      if (value === undefined) continue;
      const stats = bin.measures[measure];
      stats.count++;
      stats.sum += value;
      stats.min = stats.min === null || value < stats.min ? value : stats.min;
      stats.max = stats.max === null || value > stats.max ? value : stats.max;
    }
    for (const flag of reading.flags) bin.flags[flag] = (bin.flags[flag] ?? 0) + 1;
  }
  return [...bins.values()];
}

interface RunningStats {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
}

interface Bin {
  readonly sensorId: string;
  readonly hourStart: number;
  readings: number;
  readonly measures: Record<Measure, RunningStats>;
  readonly flags: Partial<Record<QualityFlag, number>>;
}

const emptyRunningStats = (): Record<Measure, RunningStats> =>
  Object.fromEntries(MEASURES.map((measure) => [measure, { count: 0, sum: 0, min: null, max: null }])) as Record<
    Measure,
    RunningStats
  >;

/** A stored reading of one sensor as the roll-up judges it again: raw values, times and second channel. */
export type StoredSeriesReading = SeriesReading & Pick<MeasuredReading, "temperature" | "humidity">;

/**
 * One sensor's readings judged by the roll-up of `range` (lambdas/core/quality.ts assessSeries,
 * with the registry's correction and reporting interval), given with the hour before the range
 * for their neighbours: the readings of the range, binnable, each with its position in `series`
 * and the label of the correction applied.
 */
export function judgeSeries(
  sensorId: string,
  series: readonly StoredSeriesReading[],
  registry: SensorRegistry,
  range: HourRange,
): { readonly position: number; readonly reading: BinnableReading; readonly correction: string }[] {
  const sensor = registry.get(sensorId);
  const judged = assessSeries(
    series,
    sensor?.pm25Correction ?? "none",
    (sensor?.reportingIntervalSeconds ?? DEFAULT_REPORTING_INTERVAL_SECONDS) * 1000,
  );
  return series.flatMap((reading, position) => {
    const judgement = judged[position];
    if (judgement === undefined || reading.timestamp < range.from || reading.timestamp >= range.to) return [];
    const { pm25Corrected, flags, correction } = judgement;
    return [{ position, reading: { ...reading, sensorId, pm25Corrected, flags }, correction }];
  });
}

/** Readings a sensor promises in an hour (fractional when it reports less than hourly). */
export function expectedReadingsPerHour(reportingIntervalSeconds: number): number {
  return 3600 / reportingIntervalSeconds;
}

export function completenessOf(readings: number, expectedReadings: number): number {
  return expectedReadings <= 0 ? 0 : Math.min(1, readings / expectedReadings);
}

/** Each hour's NowCast from the hourly PM2.5 means of a series keyed by hour start. */
function nowcastByHour(
  meansByHour: ReadonlyMap<number, number | null>,
  hours: readonly number[],
): Map<number, number | null> {
  const window: (number | null)[] = new Array(NOWCAST_HOURS).fill(null);
  return new Map(
    hours.map((hourStart) => {
      for (let hoursAgo = 0; hoursAgo < NOWCAST_HOURS; hoursAgo++) {
        window[hoursAgo] = meansByHour.get(hourStart - hoursAgo * HOUR_MS) ?? null;
      }
      return [hourStart, nowcastPm25(window)?.concentration ?? null];
    }),
  );
}

/** The hours a NowCast of `range` reads: the range and the 11 hours before it. */
export function nowcastWindowOf(range: HourRange): HourRange {
  return { from: hourStartOf(range.from) - (NOWCAST_HOURS - 1) * HOUR_MS, to: range.to };
}

/**
 * One row per registry sensor and hour of the range. A sensor with no bin gets a row with
 * readings 0 (a silent sensor is a finding, not a gap); bins of sensors outside the registry or
 * of hours outside the range are ignored. `before` holds rows already rolled up for the 11 hours
 * before the range (fewer or none is fine), for each hour's NowCast. Rows are ordered by hour,
 * then sensor id.
 */
export function hourlyAggregates(
  registry: SensorRegistry,
  bins: readonly SensorHourBin[],
  range: HourRange,
  before: readonly HourlyAggregate[] = [],
): HourlyAggregate[] {
  const binByKey = new Map(bins.map((bin) => [`${bin.sensorId}\u0000${hourStartOf(bin.hourStart)}`, bin]));
  const sensors = [...registry.values()].sort((a, b) => compareText(a.sensorId, b.sensorId));
  const hours = hoursOf(range);
  const rows = hours.flatMap((hourStart) =>
    sensors.map((sensor) => {
      const bin = binByKey.get(`${sensor.sensorId}\u0000${hourStart}`);
      const readings = bin?.readings ?? 0;
      const expectedReadings = expectedReadingsPerHour(sensor.reportingIntervalSeconds);
      return {
        sensorId: sensor.sensorId,
        locationName: sensor.locationName,
        zone: sensor.zone,
        city: sensor.city,
        hourStart,
        readings,
        expectedReadings,
        completeness: completenessOf(readings, expectedReadings),
        coverage: completenessOf(bin?.measures.pm25_corrected.count ?? 0, expectedReadings),
        measures: bin?.measures ?? EMPTY_MEASURES,
        flags: bin?.flags ?? NO_FLAGS,
      };
    }),
  );
  const means = new Map<string, Map<number, number | null>>();
  for (const row of [...before.filter((row) => row.hourStart < range.from), ...rows]) {
    const series = means.get(row.sensorId) ?? new Map<number, number | null>();
    means.set(row.sensorId, series);
    series.set(row.hourStart, meanOf(row.measures.pm25_corrected));
  }
  const nowcasts = new Map([...means].map(([sensorId, series]) => [sensorId, nowcastByHour(series, hours)]));
  return rows.map((row) => ({ ...row, nowcastPm25: nowcasts.get(row.sensorId)?.get(row.hourStart) ?? null }));
}

function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** Means are compared as shown (2 decimals, like the seed's ROUND(avg_pm25, 2)). */
function rankKey(mean: number): number {
  return Math.round(mean * 100);
}

/**
 * Ranks zones of one hour by mean PM2.5, cleanest first. Zones whose means round to the same
 * 0.01 ug/m3 share a rank and the next rank skips ("1, 1, 3"); a zone without readings has no
 * rank. Returned in ranking order; ties and unranked zones by zone name.
 */
export function rankZones<T extends { readonly zone: string }>(
  zones: readonly T[],
  pm25Mean: (zone: T) => number | null,
): (T & { readonly rank: number | null })[] {
  const key = (zone: T): number | null => {
    const mean = pm25Mean(zone);
    return mean === null ? null : rankKey(mean);
  };
  const ordered = [...zones].sort((a, b) => {
    const keyA = key(a);
    const keyB = key(b);
    if (keyA !== keyB) {
      if (keyA === null) return 1;
      if (keyB === null) return -1;
      return keyA - keyB;
    }
    return compareText(a.zone, b.zone);
  });
  const ranked: (T & { readonly rank: number | null })[] = [];
  for (const [index, zone] of ordered.entries()) {
    const previous = ranked[index - 1];
    const tied = previous !== undefined && key(previous) === key(zone);
    ranked.push({ ...zone, rank: key(zone) === null ? null : tied ? previous.rank : index + 1 });
  }
  return ranked;
}

/**
 * Zone figures of each hour from the sensors' hourly rows: sums of counts and sums, so a sensor
 * weighs by its readings (an average of averages would let a sensor with 3 readings count as
 * much as one with 60). The zone's NowCast is that of its hourly means, so rows of the 11 hours
 * before the ones wanted belong in `rows` too (the zone roll-up reads them and writes only its
 * range). Returned per hour in ranking order.
 */
export function zoneAggregates(rows: readonly HourlyAggregate[]): ZoneAggregate[] {
  const groups = new Map<number, Map<Zone, HourlyAggregate[]>>();
  for (const row of rows) {
    const byZone = groups.get(row.hourStart) ?? new Map<Zone, HourlyAggregate[]>();
    groups.set(row.hourStart, byZone);
    const zoneRows = byZone.get(row.zone);
    if (zoneRows === undefined) byZone.set(row.zone, [row]);
    else zoneRows.push(row);
  }
  const combined = [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([hourStart, byZone]) =>
      [...byZone.entries()].map(([zone, zoneRows]) => combineZone(zone, hourStart, zoneRows)),
    );
  const meansByZone = new Map<Zone, Map<number, number | null>>();
  for (const zone of combined) {
    const series = meansByZone.get(zone.zone) ?? new Map<number, number | null>();
    meansByZone.set(zone.zone, series);
    series.set(zone.hourStart, zone.means.pm25_corrected);
  }
  const hours = [...groups.keys()];
  const nowcasts = new Map([...meansByZone].map(([zone, series]) => [zone, nowcastByHour(series, hours)]));
  const withNowcast = combined.map((zone) => {
    const nowcast = nowcasts.get(zone.zone)?.get(zone.hourStart) ?? null;
    const aqi = nowcast === null ? null : pm25Aqi(nowcast);
    return { ...zone, nowcastPm25: nowcast, aqi: aqi?.aqi ?? null, aqiCategory: aqi?.category ?? null };
  });
  return hours
    .sort((a, b) => a - b)
    .flatMap((hourStart) =>
      rankZones(
        withNowcast.filter((zone) => zone.hourStart === hourStart),
        (zone) => zone.means.pm25,
      ),
    );
}

function combineZone(
  zone: Zone,
  hourStart: number,
  rows: readonly HourlyAggregate[],
): Omit<ZoneAggregate, "rank" | "nowcastPm25" | "aqi" | "aqiCategory"> {
  const measures = rows.reduce((total, row) => mergeMeasures(total, row.measures), EMPTY_MEASURES);
  const readings = rows.reduce((total, row) => total + row.readings, 0);
  const expectedReadings = rows.reduce((total, row) => total + row.expectedReadings, 0);
  const flags = rows.reduce((total, row) => addFlagCounts(total, row.flags), NO_FLAGS);
  const means = mapMeasures((measure) => meanOf(measures[measure]));
  return {
    zone,
    hourStart,
    sensors: rows.length,
    activeSensors: rows.filter((row) => row.readings > 0).length,
    readings,
    expectedReadings,
    completeness: completenessOf(readings, expectedReadings),
    coverage: completenessOf(measures.pm25_corrected.count, expectedReadings),
    measures,
    flags,
    means,
    evaluation: means.pm25 === null ? null : evaluatePm25(means.pm25),
  };
}

export function isoHour(hourStart: number): string {
  return new Date(hourStart).toISOString();
}

/** One summary per hour present in the rows, oldest first. */
export function hourlySummaries(rows: readonly HourlyAggregate[], version: number): HourlySummary[] {
  const hours = [...new Set(rows.map((row) => row.hourStart))].sort((a, b) => a - b);
  return hours.map((hourStart) => ({
    hour: isoHour(hourStart),
    version,
    sensors: rows
      .filter((row) => row.hourStart === hourStart)
      .map((row) => ({
        sensorId: row.sensorId,
        zone: row.zone,
        readings: row.readings,
        completeness: row.completeness,
        coverage: row.coverage,
        pm25Mean: meanOf(row.measures.pm25),
        pm25CorrectedMean: meanOf(row.measures.pm25_corrected),
        nowcastPm25: row.nowcastPm25,
        ...aqiFields(row.nowcastPm25),
      })),
    averaging: { pm25Mean: AVERAGING.hourlyMean, aqi: AVERAGING.nowcast },
  }));
}

function aqiFields(nowcast: number | null): { aqi: number | null; aqiCategory: AqiCategory | null } {
  const aqi = nowcast === null ? null : pm25Aqi(nowcast);
  return { aqi: aqi?.aqi ?? null, aqiCategory: aqi?.category ?? null };
}

/** One ranking per hour present in the rows, oldest first, best zone first. */
export function zoneSummaries(rows: readonly ZoneAggregate[], version: number): ZoneSummary[] {
  const hours = [...new Set(rows.map((row) => row.hourStart))].sort((a, b) => a - b);
  return hours.map((hourStart) => ({
    hour: isoHour(hourStart),
    version,
    ranking: rows
      .filter((row) => row.hourStart === hourStart)
      .map((row) => ({
        rank: row.rank,
        zone: row.zone,
        pm25Mean: row.means.pm25,
        seedEvaluation: row.evaluation,
        nowcastPm25: row.nowcastPm25,
        aqi: row.aqi,
        aqiCategory: row.aqiCategory,
        sensors: row.sensors,
        readings: row.readings,
        completeness: row.completeness,
      })),
    averaging: { pm25Mean: AVERAGING.hourlyMean, aqi: AVERAGING.nowcast },
  }));
}
