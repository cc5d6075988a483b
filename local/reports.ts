import { readFileSync } from "node:fs";
import { EVALUATION_NAMES, evaluatePm25, type Language } from "../lambdas/core/aqi.js";
import { meanOf, rankZones } from "../lambdas/core/rollup.js";
import type { Db } from "./sqlite/database.js";
import { toSqliteTime } from "./sqlite/time.js";

/** The seed's four queries, by the names `kaikai report <name>` takes. */
export const SEED_REPORTS = ["dakar-sensors", "sensor-activity", "hourly-pm25", "zone-ranking"] as const;
export type SeedReportName = (typeof SEED_REPORTS)[number];

export type Cell = string | number | null;
export type ReportRow = Record<string, Cell>;

export interface Report {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly ReportRow[];
}

const TITLES: Record<SeedReportName, Record<Language, string>> = {
  "dakar-sensors": {
    en: "Sensors installed in Dakar, newest first",
    fr: "Capteurs installés à Dakar, du plus récent au plus ancien",
  },
  "sensor-activity": {
    en: "Readings and last reading per sensor",
    fr: "Mesures et dernière mesure par capteur",
  },
  "hourly-pm25": {
    en: "Mean PM2.5 per sensor and hour of day, last 24 hours (UTC)",
    fr: "PM2,5 moyenne par capteur et heure du jour, dernières 24 heures (UTC)",
  },
  "zone-ranking": {
    en: "Air quality by zone over all stored readings, best first; evaluation on the seed's scale (not the AQI: see report daily and nowcast)",
    fr: "Qualité de l'air par type de zone sur toutes les mesures, la meilleure d'abord ; évaluation à l'échelle de la consigne (pas l'IQA : voir report daily et nowcast)",
  },
};

const querySql = (name: SeedReportName): string =>
  readFileSync(new URL(`../sql/sqlite/queries/${name}.sql`, import.meta.url), "utf8");

/** SQLite's ROUND: the exact decimal value of the double, half away from zero (5.35 is 5.3499... so 5.3). */
const round = (value: number | null, digits: number): number | null =>
  value === null ? null : Math.sign(value) * Number(Math.abs(value).toFixed(digits));

interface ZoneSums {
  /** A zone of the `sensors` table: one of the registry's, or any other a database holds. */
  zone: string;
  sensors: number;
  measurements: number;
  pm25_sum: number;
  temperature_sum: number;
  humidity_sum: number;
  co2_sum: number;
}

const ZONE_RANKING_COLUMNS = [
  "zone",
  "sensors",
  "measurements",
  "pm25_mean",
  "temperature_mean",
  "humidity_mean",
  "co2_mean",
  "rank",
  "seed_evaluation",
] as const;

/**
 * Rank and evaluation come from lambdas/core so that this report and the zone roll-up agree. The
 * seed's query 4 evaluates the mean of every stored reading on its own scale; no AQI is given
 * here, because the AQI is defined on a 24-hour mean or the NowCast, not on an all-time mean.
 */
function zoneRanking(rows: readonly ZoneSums[], lang: Language): Record<(typeof ZONE_RANKING_COLUMNS)[number], Cell>[] {
  const mean = (sum: number, zone: ZoneSums): number | null =>
    meanOf({ count: zone.measurements, sum, min: null, max: null });
  return rankZones(rows, (zone) => mean(zone.pm25_sum, zone)).map((zone) => {
    const pm25Mean = mean(zone.pm25_sum, zone);
    return {
      zone: zone.zone,
      sensors: zone.sensors,
      measurements: zone.measurements,
      pm25_mean: round(pm25Mean, 2),
      temperature_mean: round(mean(zone.temperature_sum, zone), 1),
      humidity_mean: round(mean(zone.humidity_sum, zone), 1),
      co2_mean: round(mean(zone.co2_sum, zone), 0),
      rank: zone.rank,
      seed_evaluation: pm25Mean === null ? null : EVALUATION_NAMES[evaluatePm25(pm25Mean)][lang],
    };
  });
}

const toZoneSums = (row: ReportRow): ZoneSums => ({
  zone: String(row.zone),
  sensors: Number(row.sensors),
  measurements: Number(row.measurements),
  pm25_sum: Number(row.pm25_sum),
  temperature_sum: Number(row.temperature_sum),
  humidity_sum: Number(row.humidity_sum),
  co2_sum: Number(row.co2_sum),
});

/** Runs one of the seed's queries; `now` (epoch ms) is the query's "now", for the last-24-hours window. */
export function runSeedReport(db: Db, name: SeedReportName, now: number, lang: Language = "en"): Report {
  const statement = db.prepare(querySql(name));
  const raw = (name === "hourly-pm25" ? statement.all({ now: toSqliteTime(now) }) : statement.all()) as ReportRow[];
  const rows = name === "zone-ranking" ? zoneRanking(raw.map(toZoneSums), lang) : raw;
  const columns = name === "zone-ranking" ? ZONE_RANKING_COLUMNS : statement.columns().map((column) => column.name);
  return { title: TITLES[name][lang], columns, rows };
}

const cellText = (cell: Cell): string => (cell === null ? "-" : String(cell));

/** A plain-text table: numbers right-aligned, text left-aligned, a rule under the header. */
export function formatTable(report: Report): string {
  const widths = report.columns.map((column) =>
    Math.max(column.length, ...report.rows.map((row) => cellText(row[column] ?? null).length)),
  );
  const line = (cells: readonly Cell[], header: boolean): string =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return typeof cell === "number" && !header ? cellText(cell).padStart(width) : cellText(cell).padEnd(width);
      })
      .join("  ")
      .trimEnd();
  const body = report.rows.map((row) =>
    line(
      report.columns.map((c) => row[c] ?? null),
      false,
    ),
  );
  return [
    report.title,
    "",
    line(report.columns, true),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...(body.length === 0 ? ["(no rows)"] : body),
  ].join("\n");
}
