/**
 * `kaikai report quality`: per sensor over a period, its readings by quality flag, its coverage,
 * the correction in use and the mean raw-to-corrected difference.
 */
import { QUALITY_FLAGS } from "../lambdas/core/quality.js";
import { DEFAULT_REPORTING_INTERVAL_SECONDS } from "../lambdas/core/sensor.js";
import type { Report, ReportRow } from "./reports.js";
import type { Db } from "./sqlite/database.js";
import { toSqliteTime } from "./sqlite/time.js";

export interface Period {
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, exclusive. */
  readonly to: number;
}

const QUALITY_COLUMNS = [
  "sensor_id",
  "zone",
  "correction",
  "readings",
  "not_judged",
  ...QUALITY_FLAGS,
  "official",
  "expected",
  "coverage",
  "mean_raw_minus_corrected",
] as const;

const round = (value: number | null, digits: number): number | null =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Per sensor of `sensors`: its readings of the period counted by quality flag (a reading can raise
 * several), those no roll-up has judged with their neighbours yet (the newest, and rows inserted
 * by hand, until a roll-up covers their hour), those the official figures use (corrected, no flag), the coverage (those
 * over the readings its reporting interval promises) and the mean of raw minus corrected PM2.5.
 */
export function qualityReport(db: Db, period: Period): Report {
  const from = toSqliteTime(period.from);
  const to = toSqliteTime(period.to);
  const sensors = db
    .prepare(
      `SELECT s.sensor_id, s.location_type, r.reporting_interval_seconds FROM sensors s
       LEFT JOIN sensor_registry r ON r.sensor_id = s.sensor_id ORDER BY s.sensor_id`,
    )
    .all() as { sensor_id: string; location_type: string; reporting_interval_seconds: number | null }[];
  const totals = db
    .prepare(
      `SELECT sensor_id, COUNT(*) AS readings,
         SUM(judged_at IS NULL) AS not_judged,
         SUM(quality_flags = '[]' AND pm25_corrected IS NOT NULL) AS official,
         AVG(pm25 - pm25_corrected) AS mean_difference,
         group_concat(DISTINCT correction_version) AS corrections
       FROM measurements WHERE timestamp >= ? AND timestamp < ? GROUP BY sensor_id`,
    )
    .all(from, to) as {
    sensor_id: string;
    readings: number;
    not_judged: number;
    official: number;
    mean_difference: number | null;
    corrections: string | null;
  }[];
  const flagCounts = db
    .prepare(
      `SELECT m.sensor_id, f.value AS flag, COUNT(*) AS readings
       FROM measurements m, json_each(m.quality_flags) f
       WHERE m.timestamp >= ? AND m.timestamp < ? AND m.quality_flags IS NOT NULL AND m.quality_flags != '[]'
       GROUP BY 1, 2`,
    )
    .all(from, to) as { sensor_id: string; flag: string; readings: number }[];
  const totalsOf = new Map(totals.map((row) => [row.sensor_id, row]));
  const flagsOf = new Map<string, Map<string, number>>();
  for (const { sensor_id, flag, readings } of flagCounts) {
    const own = flagsOf.get(sensor_id) ?? new Map<string, number>();
    own.set(flag, readings);
    flagsOf.set(sensor_id, own);
  }
  const hours = (period.to - period.from) / 3_600_000;
  const rows: ReportRow[] = sensors.map((sensor) => {
    const total = totalsOf.get(sensor.sensor_id);
    const interval = sensor.reporting_interval_seconds ?? DEFAULT_REPORTING_INTERVAL_SECONDS;
    const expected = Math.round((hours * 3600) / interval);
    const official = total?.official ?? 0;
    const flags = flagsOf.get(sensor.sensor_id);
    return {
      sensor_id: sensor.sensor_id,
      zone: sensor.location_type,
      correction: total?.corrections ?? null,
      readings: total?.readings ?? 0,
      not_judged: total?.not_judged ?? 0,
      ...Object.fromEntries(QUALITY_FLAGS.map((flag) => [flag, flags?.get(flag) ?? 0])),
      official,
      expected,
      coverage: expected === 0 ? null : round(Math.min(1, official / expected), 3),
      mean_raw_minus_corrected: round(total?.mean_difference ?? null, 2),
    };
  });
  return {
    title: `Data quality, ${new Date(period.from).toISOString()} to ${new Date(period.to).toISOString()}: readings by quality flag, coverage (official readings / expected), and the correction`,
    columns: [...QUALITY_COLUMNS],
    rows,
  };
}
