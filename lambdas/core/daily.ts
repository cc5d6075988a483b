/**
 * Daily PM2.5 means over the local day, their AQI, and the WHO 2021 guideline levels.
 *
 * A daily mean is the mean of the day's hourly means, valid when at least 75 % of the day's hours
 * have one (18 of 24): the US EPA's completeness for a 24-hour average made of hourly values
 * (40 CFR Part 50, Appendix N), and the average the daily PM2.5 AQI is defined on (TAD
 * EPA-454/B-24-002). The day is the stage's local calendar day (Dakar and Saint-Louis:
 * Africa/Dakar, UTC+0 all year).
 */

import { AVERAGING, type DailyFigure, type DailySummary, type Evaluation, type HourlyAggregate } from "./aggregates.js";
import { type Aqi, evaluatePm25, pm25Aqi } from "./aqi.js";
import { compareExact, type ExactTenths, exactMean, exactToNumber, meanOfExact } from "./decimal.js";
import type { Zone } from "./sensor.js";
import { HOUR_MS } from "./time.js";

export const DAILY_COMPLETENESS = 0.75;

/** Dakar and Saint-Louis keep UTC all year. */
export const DEFAULT_TIME_ZONE = "Africa/Dakar";

const dayFormats = new Map<string, Intl.DateTimeFormat>();
/**
 * Local days of hour starts already formatted, per time zone: Intl formatting costs microseconds,
 * and a day's roll-up of a thousand sensors asks for the same 24 hours 24,000 times. Bounded, as
 * a long-running process sees new hours forever.
 */
const hourDays = new Map<string, Map<number, string>>();
const MAX_CACHED_HOURS = 50_000;

export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-CA", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Throws a one-line error naming the zone when the runtime does not know it. */
export function assertTimeZone(timeZone: string): void {
  if (!isTimeZone(timeZone)) {
    throw new RangeError(`unknown time zone '${timeZone}': use an IANA name such as Africa/Dakar`);
  }
}

/** The local calendar date (`YYYY-MM-DD`) of an instant in an IANA time zone. */
export function localDayOf(epochMs: number, timeZone: string): string {
  const cached = hourDays.get(timeZone)?.get(epochMs);
  if (cached !== undefined) return cached;
  let format = dayFormats.get(timeZone);
  if (format === undefined) {
    assertTimeZone(timeZone);
    format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    dayFormats.set(timeZone, format);
  }
  const day = format.format(epochMs);
  if (epochMs % HOUR_MS === 0) {
    const days = hourDays.get(timeZone) ?? new Map<number, string>();
    if (days.size >= MAX_CACHED_HOURS) days.clear();
    days.set(epochMs, day);
    hourDays.set(timeZone, days);
  }
  return day;
}

/** One hour of one sensor or zone: the count and sum of its PM2.5 readings. */
export interface HourlyPm25 {
  readonly hourStart: number;
  readonly count: number;
  readonly sum: number;
}

export interface DailyMean {
  /** The local calendar date. */
  readonly day: string;
  /** Hours of the day with at least one reading. */
  readonly hours: number;
  /** Hours the local day has (24; 23 or 25 where clocks change). */
  readonly hoursInDay: number;
  /** At least 75 % of the day's hours have a mean. */
  readonly valid: boolean;
  /** ug/m3, the mean of the hourly means; null when no hour had a reading. */
  readonly mean: number | null;
  /** The same mean exactly, when the readings had one decimal: it decides band edges. */
  readonly exact: ExactTenths | null;
  /** The daily AQI, of valid days only. */
  readonly aqi: Aqi | null;
}

/** The hour starts of a local day, found from any instant in it (DST-aware, whole-hour offsets). */
function hoursOfLocalDay(day: string, anyHourOfDay: number, timeZone: string): number {
  let first = anyHourOfDay;
  while (localDayOf(first - HOUR_MS, timeZone) === day) first -= HOUR_MS;
  let count = 0;
  for (let hour = first; localDayOf(hour, timeZone) === day; hour += HOUR_MS) count += 1;
  return count;
}

/**
 * The first hour start of a local day (hours are UTC hours: in a zone whose offset is not whole
 * hours, the hour that holds local midnight counts for the day it starts in).
 */
export function localDayStart(day: string, timeZone: string): number {
  let hour = Date.parse(`${day}T00:00:00Z`) - 15 * HOUR_MS;
  while (localDayOf(hour, timeZone) < day) hour += HOUR_MS;
  return hour;
}

/** The local calendar date `days` after `day` (negative: before). */
export const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 24 * HOUR_MS).toISOString().slice(0, 10);

/** A day's figures from its hours; `hourly` may hold hours of several days, in any order. */
export function dailyMeans(hourly: readonly HourlyPm25[], timeZone: string): DailyMean[] {
  const byDay = new Map<string, HourlyPm25[]>();
  for (const hour of hourly) {
    if (hour.count <= 0) continue;
    const day = localDayOf(hour.hourStart, timeZone);
    const hours = byDay.get(day);
    if (hours === undefined) byDay.set(day, [hour]);
    else hours.push(hour);
  }
  return [...byDay.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([day, hours]) => {
      const hoursInDay = hoursOfLocalDay(day, hours[0]?.hourStart ?? 0, timeZone);
      const valid = hours.length >= Math.ceil(DAILY_COMPLETENESS * hoursInDay);
      const exacts = hours.map((hour) => exactMean(hour.sum, hour.count));
      const exact = exacts.every((e) => e !== null) ? meanOfExact(exacts as ExactTenths[]) : null;
      const mean =
        exact === null
          ? hours.reduce((total, hour) => total + hour.sum / hour.count, 0) / hours.length
          : exactToNumber(exact);
      return { day, hours: hours.length, hoursInDay, valid, mean, exact, aqi: valid ? pm25Aqi(exact ?? mean) : null };
    });
}

/** The seed's evaluation of a daily mean, exactly at its edges. */
export const evaluateDaily = (daily: DailyMean): Evaluation | null =>
  daily.mean === null ? null : evaluatePm25(daily.exact ?? daily.mean);

/**
 * WHO global air quality guidelines (2021), PM2.5, ug/m3: the air quality guideline level (AQG)
 * and the interim targets 1 to 4 (WHO, "WHO global air quality guidelines: particulate matter
 * (PM2.5 and PM10), ozone, nitrogen dioxide, sulfur dioxide and carbon monoxide", 2021,
 * Table 0.1, recommended AQG levels and interim targets). The 24-hour levels are meant as the 99th percentile of a year's daily
 * means, i.e. 3-4 exceedance days a year.
 */
export const WHO_LEVELS = ["IT-1", "IT-2", "IT-3", "IT-4", "AQG"] as const;
export type WhoLevel = (typeof WHO_LEVELS)[number];
export const WHO_24_HOUR: Readonly<Record<WhoLevel, number>> = {
  "IT-1": 75,
  "IT-2": 50,
  "IT-3": 37.5,
  "IT-4": 25,
  AQG: 15,
};
export const WHO_ANNUAL: Readonly<Record<WhoLevel, number>> = {
  "IT-1": 35,
  "IT-2": 25,
  "IT-3": 15,
  "IT-4": 10,
  AQG: 5,
};

const exceeds = (mean: number | ExactTenths, level: number): boolean =>
  typeof mean === "number" ? mean > level : compareExact(mean, Math.round(level * 10)) > 0;

/** The strictest WHO level a mean meets (is at most); null when it is above interim target 1. */
export function whoLevelMet(mean: number | ExactTenths, levels: Readonly<Record<WhoLevel, number>>): WhoLevel | null {
  return [...WHO_LEVELS].reverse().find((level) => !exceeds(mean, levels[level])) ?? null;
}

export interface WhoExceedances {
  /** Valid days of the period. */
  readonly validDays: number;
  /** Valid days whose mean is above each 24-hour level. */
  readonly daysAbove: Readonly<Record<WhoLevel, number>>;
}

/** Counts of valid days above each WHO 24-hour level. */
export function whoExceedances(days: readonly DailyMean[]): WhoExceedances {
  const valid = days.filter((day) => day.valid && day.mean !== null);
  const daysAbove = Object.fromEntries(
    WHO_LEVELS.map((level) => [
      level,
      valid.filter((day) => exceeds(day.exact ?? (day.mean as number), WHO_24_HOUR[level])).length,
    ]),
  ) as Record<WhoLevel, number>;
  return { validDays: valid.length, daysAbove };
}

export const DAYS_PER_YEAR = 365;

export interface AnnualMean {
  /** The mean of the valid daily means of the year that ends with the given day; null without any. */
  readonly mean: number | null;
  readonly validDays: number;
  /** validDays / 365. */
  readonly coverage: number;
  readonly level: WhoLevel | null;
}

/** The running annual mean: the valid daily means of the 365 days that end with `lastDay`. */
export function annualMean(days: readonly DailyMean[], lastDay: string): AnnualMean {
  const first = addDays(lastDay, -(DAYS_PER_YEAR - 1));
  const valid = days.filter((day) => day.valid && day.mean !== null && day.day >= first && day.day <= lastDay);
  const exacts = valid.map((day) => day.exact);
  const exact = exacts.every((e) => e !== null) ? meanOfExact(exacts as ExactTenths[]) : null;
  const mean =
    valid.length === 0
      ? null
      : exact === null
        ? valid.reduce((total, day) => total + (day.mean as number), 0) / valid.length
        : exactToNumber(exact);
  return {
    mean,
    validDays: valid.length,
    coverage: valid.length / DAYS_PER_YEAR,
    level: mean === null ? null : whoLevelMet(exact ?? mean, WHO_ANNUAL),
  };
}

/** The local days whose last hour is among `hourStarts`: the days a run over them completes. */
export function daysEndingIn(hourStarts: readonly number[], timeZone: string): Set<string> {
  return new Set(
    hourStarts
      .filter((hour) => localDayOf(hour + HOUR_MS, timeZone) !== localDayOf(hour, timeZone))
      .map((hour) => localDayOf(hour, timeZone)),
  );
}

const pm25Hours = (rows: readonly HourlyAggregate[]): HourlyPm25[] =>
  rows.map((row) => ({
    hourStart: row.hourStart,
    count: row.measures.pm25_corrected.count,
    sum: row.measures.pm25_corrected.sum,
  }));

function dailyFigure(daily: DailyMean | undefined): DailyFigure {
  const valid = daily?.valid ?? false;
  return {
    hours: daily?.hours ?? 0,
    valid,
    pm25Mean: daily?.mean ?? null,
    aqi: daily?.aqi?.aqi ?? null,
    aqiCategory: daily?.aqi?.category ?? null,
    whoLevel:
      valid && daily?.mean != null ? (whoLevelMet(daily.exact ?? daily.mean, WHO_24_HOUR) ?? "above IT-1") : null,
  };
}

/**
 * Each day's figures per sensor and per zone (a zone's hour weighs its sensors by their readings)
 * from the sensors' hourly rows of those days, each row once.
 */
export function dailySummaries(
  rows: readonly HourlyAggregate[],
  days: ReadonlySet<string>,
  timeZone: string,
  version: number,
): DailySummary[] {
  const sensors = new Map<string, { zone: Zone; rows: HourlyAggregate[] }>();
  const zoneHours = new Map<Zone, Map<number, HourlyPm25>>();
  for (const row of rows) {
    const sensor = sensors.get(row.sensorId) ?? { zone: row.zone, rows: [] };
    sensor.rows.push(row);
    sensors.set(row.sensorId, sensor);
    const hours = zoneHours.get(row.zone) ?? new Map<number, HourlyPm25>();
    zoneHours.set(row.zone, hours);
    const total = hours.get(row.hourStart) ?? { hourStart: row.hourStart, count: 0, sum: 0 };
    hours.set(row.hourStart, {
      hourStart: row.hourStart,
      count: total.count + row.measures.pm25_corrected.count,
      sum: total.sum + row.measures.pm25_corrected.sum,
    });
  }
  const byDay = (hourly: readonly HourlyPm25[]) => new Map(dailyMeans(hourly, timeZone).map((d) => [d.day, d]));
  const sensorDays = [...sensors].map(([sensorId, { zone, rows: own }]) => ({
    sensorId,
    zone,
    days: byDay(pm25Hours(own)),
  }));
  const zoneDays = [...zoneHours].map(([zone, hours]) => ({ zone, days: byDay([...hours.values()]) }));
  return [...days].sort().map((day) => ({
    day,
    timeZone,
    version,
    sensors: sensorDays.map(({ sensorId, zone, days: own }) => ({ sensorId, zone, ...dailyFigure(own.get(day)) })),
    zones: zoneDays.map(({ zone, days: own }) => ({ zone, ...dailyFigure(own.get(day)) })),
    averaging: AVERAGING.dailyMean,
  }));
}
