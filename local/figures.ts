/**
 * The official figures as reports (`kaikai report nowcast|daily|who`): computed by lambdas/core
 * from the exact hour totals of the local store's official PM2.5 (corrected, unflagged readings,
 * as the roll-ups judged them), per sensor and per zone, every zone of `sensors`
 * included. Each row names its averaging period; a category is given by its EPA name (and in the
 * report's language beside it) with the EPA colour.
 */
import { AVERAGING } from "../lambdas/core/aggregates.js";
import { AQI_CATEGORY_INFO, type Aqi, EVALUATION_NAMES, type Language, pm25Aqi } from "../lambdas/core/aqi.js";
import {
  addDays,
  annualMean,
  type DailyMean,
  dailyMeans,
  evaluateDaily,
  type HourlyPm25,
  localDayOf,
  localDayStart,
  WHO_24_HOUR,
  WHO_LEVELS,
  whoExceedances,
  whoLevelMet,
} from "../lambdas/core/daily.js";
import { decimalMean } from "../lambdas/core/decimal.js";
import { NOWCAST_HOURS, nowcastPm25 } from "../lambdas/core/nowcast.js";
import { HOUR_MS, hourStartOf } from "../lambdas/core/time.js";
import type { Cell, Report, ReportRow } from "./reports.js";
import type { Db } from "./sqlite/database.js";
import { fromSqliteTime, toSqliteTime } from "./sqlite/time.js";

/** One sensor or zone whose figures a report gives, with its hours of PM2.5. */
interface Series {
  readonly scope: "sensor" | "zone";
  /** The sensor's id, or the zone's name. */
  readonly id: string;
  readonly zone: string;
  readonly hours: HourlyPm25[];
}

/**
 * Every sensor of `sensors` and every zone they name, each with its hours of official PM2.5 in
 * [from, to) from measurement_hour_totals; a zone's hour adds its sensors' counts and sums (sensors weigh by
 * their readings, as in the zone roll-up).
 */
function seriesOf(db: Db, from: number, to: number): Series[] {
  const sensors = db.prepare("SELECT sensor_id, location_type FROM sensors ORDER BY sensor_id").all() as {
    sensor_id: string;
    location_type: string;
  }[];
  const totals = db
    .prepare(
      `SELECT t.sensor_id, t.hour, t.official_count, t.official_sum FROM measurement_hour_totals t
       WHERE t.hour >= ? AND t.hour < ? AND t.official_count > 0 ORDER BY t.hour`,
    )
    .raw(true)
    .all(toSqliteTime(from), toSqliteTime(to)) as [string, string, number, number][];
  const bySensor = new Map(sensors.map((s) => [s.sensor_id, [] as HourlyPm25[]]));
  const zoneHours = new Map<string, Map<number, { count: number; sum: number }>>();
  const zoneOf = new Map(sensors.map((s) => [s.sensor_id, s.location_type]));
  for (const [sensorId, hour, count, sum] of totals) {
    const hourStart = fromSqliteTime(hour);
    bySensor.get(sensorId)?.push({ hourStart, count, sum });
    const zone = zoneOf.get(sensorId);
    if (zone === undefined) continue;
    const hours = zoneHours.get(zone) ?? new Map<number, { count: number; sum: number }>();
    zoneHours.set(zone, hours);
    const total = hours.get(hourStart) ?? { count: 0, sum: 0 };
    hours.set(hourStart, { count: total.count + count, sum: total.sum + sum });
  }
  const zones = [...new Set(sensors.map((s) => s.location_type))].sort();
  return [
    ...sensors.map((s) => ({
      scope: "sensor" as const,
      id: s.sensor_id,
      zone: s.location_type,
      hours: bySensor.get(s.sensor_id) ?? [],
    })),
    ...zones.map((zone) => ({
      scope: "zone" as const,
      id: zone,
      zone,
      hours: [...(zoneHours.get(zone) ?? new Map()).entries()].map(([hourStart, total]) => ({ hourStart, ...total })),
    })),
  ];
}

const round = (value: number | null, digits: number): number | null =>
  value === null ? null : Number(value.toFixed(digits));

/** The AQI columns of a row: the index, the EPA category and its colour, and what it means. */
function aqiCells(aqi: Aqi | null, lang: Language): ReportRow {
  const info = aqi === null ? null : AQI_CATEGORY_INFO[aqi.category];
  return {
    aqi: aqi?.aqi ?? null,
    aqi_category: aqi?.category ?? null,
    category_name: info?.name[lang] ?? null,
    colour: info?.colour ?? null,
    message: info?.message[lang] ?? null,
  };
}

const TEXT = {
  nowcast: {
    en: (hour: string) => `NowCast PM2.5 and its AQI (US EPA, 2024) for the hour from ${hour} UTC`,
    fr: (hour: string) => `NowCast PM2,5 et son IQA (US EPA, 2024) pour l'heure à partir de ${hour} UTC`,
  },
  daily: {
    en: (from: string, to: string, tz: string) =>
      `Daily PM2.5 means (24-hour, local day in ${tz}; valid with 18 of 24 hours) and their AQI, ${from} to ${to}`,
    fr: (from: string, to: string, tz: string) =>
      `Moyennes journalières de PM2,5 (24 heures, jour local ${tz} ; valides avec 18 heures sur 24) et leur IQA, du ${from} au ${to}`,
  },
  who: {
    en: (month: string) =>
      `WHO 2021 guideline levels for PM2.5, ${month}: valid days above each 24-hour level, and the annual mean of the 365 days to its end`,
    fr: (month: string) =>
      `Niveaux des lignes directrices OMS 2021 pour les PM2,5, ${month} : jours valides au-dessus de chaque niveau sur 24 heures, et moyenne annuelle des 365 jours jusqu'à sa fin`,
  },
} as const;

const NOWCAST_COLUMNS = [
  "scope",
  "id",
  "zone",
  "pm25_1h_mean",
  "nowcast_pm25",
  "nowcast_hours",
  "aqi",
  "category_name",
  "colour",
] as const;

/** The NowCast of `hour` (an hour start) for every sensor and zone. */
export function nowcastReport(db: Db, options: { readonly hour: number; readonly lang: Language }): Report {
  const hour = hourStartOf(options.hour);
  const series = seriesOf(db, hour - (NOWCAST_HOURS - 1) * HOUR_MS, hour + HOUR_MS);
  const rows = series.map((one) => {
    const means = new Map(one.hours.map((h) => [h.hourStart, decimalMean(h.sum, h.count)]));
    const window = Array.from({ length: NOWCAST_HOURS }, (_, ago) => means.get(hour - ago * HOUR_MS) ?? null);
    const nowcast = nowcastPm25(window);
    return {
      scope: one.scope,
      id: one.id,
      zone: one.zone,
      hour: new Date(hour).toISOString(),
      pm25_1h_mean: round(window[0] ?? null, 2),
      nowcast_pm25: nowcast?.concentration ?? null,
      nowcast_hours: nowcast?.hours ?? window.filter((mean) => mean !== null).length,
      weight_factor: nowcast === null ? null : round(nowcast.weightFactor, 3),
      ...aqiCells(nowcast === null ? null : pm25Aqi(nowcast.concentration), options.lang),
      averaging: AVERAGING.nowcast,
      standard: "US EPA AQI, EPA-454/B-24-002 (2024)",
    };
  });
  return { title: TEXT.nowcast[options.lang](isoMinute(hour)), columns: NOWCAST_COLUMNS, rows };
}

const isoMinute = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 16).replace("T", " ");

/** The hours that make the local days [from, to], as a UTC range. */
function daysRange(from: string, to: string, timeZone: string): { from: number; to: number } {
  return { from: localDayStart(from, timeZone), to: localDayStart(addDays(to, 1), timeZone) };
}

const DAILY_COLUMNS = [
  "scope",
  "id",
  "zone",
  "day",
  "hours",
  "valid",
  "pm25_24h_mean",
  "aqi",
  "category_name",
  "who_24h_level",
  "seed_evaluation",
] as const;

export interface DailyOptions {
  /** Local calendar dates, both included. */
  readonly from: string;
  readonly to: string;
  readonly timeZone: string;
  readonly lang: Language;
}

/** Each sensor's and zone's daily means over the local days asked, with the daily AQI. */
export function dailyReport(db: Db, options: DailyOptions): Report {
  const range = daysRange(options.from, options.to, options.timeZone);
  const rows = seriesOf(db, range.from, range.to).flatMap((one) => {
    const byDay = new Map(dailyMeans(one.hours, options.timeZone).map((day) => [day.day, day]));
    return daysOf(options.from, options.to).map((day) => dailyRow(one, day, byDay.get(day), options.lang));
  });
  return { title: TEXT.daily[options.lang](options.from, options.to, options.timeZone), columns: DAILY_COLUMNS, rows };
}

function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

function dailyRow(one: Series, day: string, daily: DailyMean | undefined, lang: Language): ReportRow {
  const valid = daily?.valid ?? false;
  const mean = daily?.mean ?? null;
  // The seed's scale on the same valid 24-hour mean, beside the AQI and never for it.
  const evaluation = daily === undefined || !valid ? null : evaluateDaily(daily);
  return {
    scope: one.scope,
    id: one.id,
    zone: one.zone,
    day,
    hours: daily?.hours ?? 0,
    valid: valid ? "yes" : "no",
    pm25_24h_mean: round(mean, 2),
    ...aqiCells(daily?.aqi ?? null, lang),
    who_24h_level: valid && daily !== undefined ? whoLevelOf(daily) : null,
    seed_evaluation: evaluation === null ? null : EVALUATION_NAMES[evaluation][lang],
    averaging: AVERAGING.dailyMean,
  };
}

const whoLevelOf = (daily: DailyMean): string =>
  whoLevelMet(daily.exact ?? (daily.mean as number), WHO_24_HOUR) ?? "above IT-1";

/** `above_aqg_15`, `above_it4_25`, ...: a column per WHO 24-hour level. */
const levelColumn = (level: (typeof WHO_LEVELS)[number]): string =>
  `days_above_${level.toLowerCase().replace("-", "")}_${String(WHO_24_HOUR[level]).replace(".", "_")}`;

const WHO_COLUMNS = [
  "scope",
  "id",
  "zone",
  "valid_days",
  ...[...WHO_LEVELS].reverse().map(levelColumn),
  "annual_mean",
  "annual_valid_days",
  "annual_coverage",
  "annual_level",
] as const;

export interface WhoOptions {
  /** `YYYY-MM`. */
  readonly month: string;
  /** The report's last day: the month's last, or today when the month is the current one. */
  readonly lastDay: string;
  readonly timeZone: string;
  readonly lang: Language;
}

/**
 * Per sensor and zone over one month: the valid days and how many were above each WHO 2021
 * 24-hour level (guideline 15, interim targets 25, 37.5, 50, 75), and the running annual mean of
 * the 365 days to the month's last day with the strictest annual level it meets (guideline 5,
 * interim targets 10, 15, 25, 35) and its coverage.
 */
export function whoReport(db: Db, options: WhoOptions): Report {
  const firstOfYear = addDays(options.lastDay, -364);
  const range = daysRange(firstOfYear, options.lastDay, options.timeZone);
  const rows = seriesOf(db, range.from, range.to).map((one) => {
    const days = dailyMeans(one.hours, options.timeZone);
    const month = days.filter((day) => day.day.startsWith(options.month) && day.day <= options.lastDay);
    const exceedances = whoExceedances(month);
    const annual = annualMean(days, options.lastDay);
    const row: Record<string, Cell> = {
      scope: one.scope,
      id: one.id,
      zone: one.zone,
      valid_days: exceedances.validDays,
    };
    for (const level of WHO_LEVELS) row[levelColumn(level)] = exceedances.daysAbove[level];
    return {
      ...row,
      annual_mean: round(annual.mean, 2),
      annual_valid_days: annual.validDays,
      annual_coverage: round(annual.coverage, 3),
      annual_level: annual.mean === null ? null : (annual.level ?? "above IT-1"),
      averaging: `${AVERAGING.dailyMean}; ${AVERAGING.annualMean}`,
      standard: "WHO global air quality guidelines (2021)",
    };
  });
  return { title: TEXT.who[options.lang](options.month), columns: WHO_COLUMNS, rows };
}

/** Today's local date in the stage's time zone. */
export const localToday = (now: number, timeZone: string): string => localDayOf(now, timeZone);
