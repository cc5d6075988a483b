/**
 * The dashboard's figures, read from the local store: the same official figures as the reports
 * (the NowCast of lambdas/core over the hour totals), the roll-ups' own rows, and the readings.
 */
import type { AlertRule } from "../../lambdas/core/alerts.js";
import { pm25Aqi } from "../../lambdas/core/aqi.js";
import { FOG_HUMIDITY } from "../../lambdas/core/quality.js";
import { DAY_MS, HOUR_MS, hourStartOf } from "../../lambdas/core/time.js";
import { nowcastReport } from "../figures.js";
import type { Db } from "../sqlite/database.js";
import { fromSqliteTime, toSqliteTime } from "../sqlite/time.js";
import type {
  HourlyRollupRow,
  LatestReading,
  MarkerAqi,
  OpenAlert,
  Overview,
  QuarantineCount,
  SensorView,
  Series,
  SeriesMeasure,
  Threshold,
  ZoneRank,
} from "./api.js";

const isoOf = (sqliteTime: string): string => new Date(fromSqliteTime(sqliteTime)).toISOString();

interface ReadingRow {
  sensor_id: string;
  timestamp: string;
  pm25: number;
  pm25_corrected: number | null;
  temperature: number;
  humidity: number;
  co2: number;
}

const latestOf = (row: ReadingRow): LatestReading => ({
  timestamp: isoOf(row.timestamp),
  pm25: row.pm25,
  pm25_corrected: row.pm25_corrected,
  temperature: row.temperature,
  humidity: row.humidity,
  co2: row.co2,
});

/**
 * Each sensor's marker figure: the NowCast of the last complete hour where it exists (what AirNow
 * shows as the current AQI), otherwise the mean of the sensor's newest hour, official where that
 * hour has been judged, raw until then.
 */
function markerFigures(db: Db, now: number): Map<string, MarkerAqi> {
  const lastHour = hourStartOf(now) - HOUR_MS;
  const figures = new Map<string, MarkerAqi>();
  for (const row of nowcastReport(db, { hour: lastHour, lang: "en" }).rows) {
    if (row.scope !== "sensor" || typeof row.nowcast_pm25 !== "number") continue;
    const aqi = pm25Aqi(row.nowcast_pm25);
    figures.set(String(row.id), {
      basis: "nowcast",
      hour: new Date(lastHour).toISOString(),
      concentration: row.nowcast_pm25,
      ...aqi,
    });
  }
  const newestHours = db
    .prepare(
      `SELECT t.sensor_id, t.hour, t.readings, t.pm25_sum, t.official_count, t.official_sum
       FROM measurement_hour_totals t
       WHERE t.hour = (SELECT MAX(hour) FROM measurement_hour_totals WHERE sensor_id = t.sensor_id)`,
    )
    .all() as {
    sensor_id: string;
    hour: string;
    readings: number;
    pm25_sum: number;
    official_count: number;
    official_sum: number;
  }[];
  for (const row of newestHours) {
    if (figures.has(row.sensor_id) || row.readings === 0) continue;
    const mean = row.official_count > 0 ? row.official_sum / row.official_count : row.pm25_sum / row.readings;
    const concentration = Number(mean.toFixed(1));
    figures.set(row.sensor_id, { basis: "hour_mean", hour: isoOf(row.hour), concentration, ...pm25Aqi(mean) });
  }
  return figures;
}

function zoneRanking(db: Db): Overview["zones"] {
  const hour = db.prepare("SELECT MAX(hour) FROM zone_aggregates").pluck().get() as string | null;
  if (hour === null) return { hour: null, ranking: [] };
  const ranking = db
    .prepare(
      `SELECT rank, zone, pm25_mean, aqi, aqi_category, active_sensors, sensors FROM zone_aggregates
       WHERE hour = ? ORDER BY rank IS NULL, rank, zone`,
    )
    .all(hour) as ZoneRank[];
  return { hour: isoOf(hour), ranking };
}

function openAlerts(db: Db, rules: readonly AlertRule[]): OpenAlert[] {
  const severity = new Map(rules.map((rule) => [rule.id, rule.severity]));
  const rows = db
    .prepare(
      `SELECT alert_state.sensor_id, json_each.key AS rule_id, json_each.value ->> 'openedAt' AS opened_at
       FROM alert_state, json_each(alert_state.state)
       WHERE json_each.value ->> 'openedAt' IS NOT NULL ORDER BY opened_at DESC`,
    )
    .all() as { sensor_id: string; rule_id: string; opened_at: number }[];
  return rows.map((row) => ({
    sensor_id: row.sensor_id,
    rule_id: row.rule_id,
    severity: severity.get(row.rule_id) ?? null,
    opened_at: new Date(row.opened_at).toISOString(),
  }));
}

function lastHourlyRollup(db: Db): Overview["rollups"] {
  const hour = db.prepare("SELECT MAX(hour) FROM hourly_aggregates").pluck().get() as string | null;
  if (hour === null) return { hour: null, rows: [] };
  const rows = db
    .prepare(
      `SELECT sensor_id, CASE WHEN pm25_count > 0 THEN ROUND(pm25_sum / pm25_count, 1) END AS pm25_mean,
         nowcast_pm25, completeness, coverage
       FROM hourly_aggregates WHERE hour = ? ORDER BY sensor_id`,
    )
    .all(hour) as HourlyRollupRow[];
  return { hour: isoOf(hour), rows };
}

function quarantineCounts(db: Db): QuarantineCount[] {
  return db
    .prepare(
      `SELECT reason, COUNT(*) AS count, SUM(replayed_at IS NULL) AS pending FROM quarantine
       GROUP BY reason ORDER BY count DESC, reason`,
    )
    .all() as QuarantineCount[];
}

/** Everything the page shows but the charts, in one read transaction. */
export function overview(db: Db, now: number, rules: readonly AlertRule[]): Overview {
  return db.transaction(() => {
    const sensors = db
      .prepare(
        `SELECT s.sensor_id, s.location_name, s.location_type AS zone, COALESCE(r.city, '') AS city, s.latitude, s.longitude
         FROM sensors s LEFT JOIN sensor_registry r USING (sensor_id) ORDER BY s.sensor_id`,
      )
      .all() as Omit<SensorView, "latest" | "aqi">[];
    const latest = db.prepare<[string], ReadingRow>(
      `SELECT sensor_id, timestamp, pm25, pm25_corrected, temperature, humidity, co2 FROM measurements
       WHERE sensor_id = ? ORDER BY timestamp DESC LIMIT 1`,
    );
    const figures = markerFigures(db, now);
    return {
      at: new Date(now).toISOString(),
      sensors: sensors.map((sensor) => {
        const row = latest.get(sensor.sensor_id);
        return {
          ...sensor,
          latest: row === undefined ? null : latestOf(row),
          aqi: figures.get(sensor.sensor_id) ?? null,
        };
      }),
      zones: zoneRanking(db),
      open_alerts: openAlerts(db, rules),
      rollups: lastHourlyRollup(db),
      quarantine: quarantineCounts(db),
    };
  })();
}

/** The lines a chart draws: the alert rules on its measure, and the humidity above which readings are flagged as fog. */
function thresholdsOf(rules: readonly AlertRule[]): Threshold[] {
  const measureOf: Partial<Record<AlertRule["metric"], SeriesMeasure>> = {
    pm25: "pm25",
    pm25_corrected: "pm25_corrected",
    pm25_daily_mean: "pm25",
    humidity: "humidity",
    co2: "co2",
  };
  const fromRules = rules.flatMap((rule) => {
    const measure = measureOf[rule.metric];
    return measure === undefined ? [] : [{ measure, value: rule.threshold, source: rule.id }];
  });
  return [...fromRules, { measure: "humidity", value: FOG_HUMIDITY, source: "fog" }];
}

/** A sensor's last 24 hours to `now`, a point a minute; null where a minute has no value. */
export function sensorSeries(db: Db, sensorId: string, now: number, rules: readonly AlertRule[]): Series {
  const rows = db
    .prepare(
      `SELECT substr(timestamp, 1, 16) AS minute, AVG(pm25) AS pm25, AVG(pm25_corrected) AS pm25_corrected,
         AVG(humidity) AS humidity, AVG(co2) AS co2
       FROM measurements WHERE sensor_id = ? AND timestamp >= ? AND timestamp <= ?
       GROUP BY minute ORDER BY minute`,
    )
    .all(sensorId, toSqliteTime(now - DAY_MS), toSqliteTime(now)) as ({ minute: string } & Record<
    SeriesMeasure,
    number | null
  >)[];
  const round = (value: number | null) => (value === null ? null : Number(value.toFixed(1)));
  return {
    sensor_id: sensorId,
    times: rows.map((row) => fromSqliteTime(`${row.minute}:00`) / 1000),
    values: {
      pm25: rows.map((row) => round(row.pm25)),
      pm25_corrected: rows.map((row) => round(row.pm25_corrected)),
      humidity: rows.map((row) => round(row.humidity)),
      co2: rows.map((row) => round(row.co2)),
    },
    thresholds: thresholdsOf(rules),
  };
}
