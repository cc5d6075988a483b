/**
 * The pipeline's health from the local SQLite store: the figures the cloud dashboard shows and
 * the checks its alarms make, for `kaikai report health`.
 * Locally every message ends in `measurements` or `quarantine`, so received = stored + quarantined.
 */
import { statSync } from "node:fs";
import { PIPELINE_ALARMS, type PipelineAlarm } from "../lambdas/bindings/alarms.js";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../lambdas/core/time.js";
import type { StageConfig } from "../lib/config/stages.js";
import { countOpenAlerts } from "./sqlite/alert-state-store.js";
import type { Db } from "./sqlite/database.js";
import { fromSqliteTime, toSqliteTime } from "./sqlite/time.js";

export interface HealthOptions {
  /** Epoch ms: the report's "now". */
  readonly now: number;
  /** The window the flow and the reject share are counted over. */
  readonly windowMinutes: number;
  /** The same thresholds as the stage's alarms. */
  readonly ops: StageConfig["ops"];
  /** The database file, for its size on disk (with the WAL); omit for an in-memory database. */
  readonly databasePath?: string;
}

/** The check only the running pipeline makes, since it is the one that writes the database. */
export const DATABASE_WRITABLE = "database-writable";

export interface HealthCheck {
  /** The name of the cloud alarm it mirrors, or the running pipeline's own check. */
  readonly name: PipelineAlarm | typeof DATABASE_WRITABLE;
  readonly ok: boolean;
  readonly detail: string;
}

export interface HealthReport {
  /** ISO 8601 UTC. */
  readonly at: string;
  readonly windowMinutes: number;
  readonly received: number;
  /** Readings stored in the window (received in it, whatever their own time). */
  readonly stored: number;
  /** Readings quarantined in the window (received in it), replayed or not. */
  readonly quarantined: number;
  readonly quarantinedByReason: Readonly<Record<string, number>>;
  /** Percent of the received readings quarantined; null when nothing was received. */
  readonly rejectSharePercent: number | null;
  /** Sensors with a reading in the last hour. */
  readonly activeSensors: number;
  readonly registrySensors: number;
  /** Seconds since the newest stored reading's time; null when nothing is stored. */
  readonly lastReadingAgeSeconds: number | null;
  /** Open (rule, sensor) alerts in the alert state. */
  readonly openAlerts: number;
  /** ISO 8601 of the last hourly roll-up run (its version); null if none ran. */
  readonly lastHourlyRollupAt: string | null;
  readonly lastZoneRollupAt: string | null;
  readonly storedTotal: number;
  readonly storedLast24h: number;
  /** Size of the database (pages in use, or the files on disk with the WAL when larger). */
  readonly databaseBytes: number;
  /** Bytes a day at the last 24 hours' rate and the current bytes per reading; null with nothing stored. */
  readonly growthBytesPerDay: number | null;
  readonly checks: readonly HealthCheck[];
}

const isoOrNull = (epochMs: number | null): string | null =>
  epochMs === null ? null : new Date(epochMs).toISOString();

function scalar(db: Db, sql: string, ...params: readonly (string | number)[]): number | null {
  const row = db
    .prepare(sql)
    .pluck()
    .get(...params) as number | string | null | undefined;
  if (row === null || row === undefined) return null;
  return typeof row === "number" ? row : Number(row);
}

function text(db: Db, sql: string, ...params: readonly (string | number)[]): string | null {
  const row = db
    .prepare(sql)
    .pluck()
    .get(...params) as string | null | undefined;
  return row ?? null;
}

function databaseBytes(db: Db, path: string | undefined): number {
  const pages = Number(db.pragma("page_count", { simple: true })) * Number(db.pragma("page_size", { simple: true }));
  if (path === undefined || path === ":memory:") return pages;
  const onDisk = [path, `${path}-wal`].reduce((total, file) => {
    try {
      return total + statSync(file).size;
    } catch {
      return total;
    }
  }, 0);
  return Math.max(pages, onDisk);
}

/** Reads every figure in one read transaction, so that they describe the same moment. */
export function healthReport(db: Db, options: HealthOptions): HealthReport {
  return db.transaction(() => readHealth(db, options))();
}

function readHealth(db: Db, { now, windowMinutes, ops, databasePath }: HealthOptions): HealthReport {
  const windowStart = now - windowMinutes * MINUTE_MS;
  // By arrival (received_at, indexed), like the quarantine: the two add up to what was received.
  const stored =
    scalar(db, "SELECT COUNT(*) FROM measurements WHERE received_at >= ? AND received_at <= ?", windowStart, now) ?? 0;
  const reasonRows = db
    .prepare(
      "SELECT reason, COUNT(*) AS count FROM quarantine WHERE received_at >= ? AND received_at <= ? GROUP BY reason ORDER BY reason",
    )
    .all(new Date(windowStart).toISOString(), new Date(now).toISOString()) as { reason: string; count: number }[];
  const quarantinedByReason = Object.fromEntries(reasonRows.map(({ reason, count }) => [reason, count]));
  const quarantined = reasonRows.reduce((total, { count }) => total + count, 0);
  const received = stored + quarantined;
  const rejectSharePercent = received === 0 ? null : (100 * quarantined) / received;

  const activeSensors =
    scalar(
      db,
      "SELECT COUNT(DISTINCT sensor_id) FROM measurements WHERE timestamp >= ? AND timestamp <= ?",
      toSqliteTime(now - HOUR_MS),
      toSqliteTime(now),
    ) ?? 0;
  const registrySensors = scalar(db, "SELECT COUNT(*) FROM sensors") ?? 0;
  const newest = text(db, "SELECT MAX(timestamp) FROM measurements");
  const lastReadingAgeSeconds = newest === null ? null : Math.round((now - fromSqliteTime(newest)) / 1000);

  const openAlerts = countOpenAlerts(db);
  const lastHourlyRollup = scalar(db, "SELECT MAX(version) FROM hourly_aggregates");
  const lastZoneRollup = scalar(db, "SELECT MAX(version) FROM zone_aggregates");

  // The per-hour totals are kept by triggers: exact, and far smaller than the readings.
  const storedTotal = scalar(db, "SELECT SUM(readings) FROM measurement_hour_totals") ?? 0;
  const storedLast24h =
    scalar(
      db,
      "SELECT SUM(readings) FROM measurement_hour_totals WHERE hour >= ?",
      toSqliteTime(hourStart(now - DAY_MS)),
    ) ?? 0;
  const bytes = databaseBytes(db, databasePath);
  const growthBytesPerDay = storedTotal === 0 ? null : Math.round((bytes / storedTotal) * storedLast24h);

  const figures = {
    at: new Date(now).toISOString(),
    windowMinutes,
    received,
    stored,
    quarantined,
    quarantinedByReason,
    rejectSharePercent,
    activeSensors,
    registrySensors,
    lastReadingAgeSeconds,
    openAlerts,
    lastHourlyRollupAt: isoOrNull(lastHourlyRollup),
    lastZoneRollupAt: isoOrNull(lastZoneRollup),
    storedTotal,
    storedLast24h,
    databaseBytes: bytes,
    growthBytesPerDay,
  };
  return { ...figures, checks: healthChecks(figures, { now, ops, lastHourlyRollup, lastZoneRollup }) };
}

/**
 * Watches that the database at `path` is still the file that was opened: undefined while it is,
 * otherwise what became of it. SQLite keeps writing to a deleted or replaced file's old inode,
 * where nothing will ever read the readings.
 */
export function databaseFileWatch(path: string): () => string | undefined {
  const opened = statSync(path).ino;
  return () => {
    let now: number;
    try {
      now = statSync(path).ino;
    } catch {
      return `${path} is gone: readings cannot be kept`;
    }
    return now === opened ? undefined : `${path} was replaced by another file: readings would go to the old one`;
  };
}

/**
 * Whether the pipeline can still write its database: the file it opened is still at its path
 * (not deleted or replaced), and a write lock can be taken now. The probe does not wait for a
 * lock another process holds: the check answers at once, and the broker is not held up.
 */
export function databaseWritableCheck(db: Db, path: string): () => HealthCheck {
  const fileProblem = databaseFileWatch(path);
  const check = (ok: boolean, detail: string): HealthCheck => ({ name: DATABASE_WRITABLE, ok, detail });
  return () => {
    const problem = fileProblem();
    if (problem !== undefined) return check(false, problem);
    // A write of this connection is in progress: it holds the lock, so the file can be written.
    if (db.inTransaction) return check(true, "writing");
    const busyTimeout = Number(db.pragma("busy_timeout", { simple: true }));
    db.pragma("busy_timeout = 0");
    try {
      db.exec("BEGIN IMMEDIATE");
      db.exec("ROLLBACK");
      return check(true, "a write lock can be taken");
    } catch (error) {
      return check(false, `cannot write: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      db.pragma(`busy_timeout = ${busyTimeout}`);
    }
  };
}

function hourStart(epochMs: number): number {
  return epochMs - (epochMs % HOUR_MS);
}

/** Hours without a roll-up run before its check fails, as the cloud alarm (two hourly periods). */
const ROLLUP_MISSED_HOURS = 2;

function healthChecks(
  figures: Omit<HealthReport, "checks">,
  context: { now: number; ops: StageConfig["ops"]; lastHourlyRollup: number | null; lastZoneRollup: number | null },
): HealthCheck[] {
  const { ops, now } = context;
  const share = figures.rejectSharePercent;
  const silentFor = figures.lastReadingAgeSeconds;
  const rollupCheck = (name: PipelineAlarm, last: number | null): HealthCheck => ({
    name,
    ok: last !== null && now - last <= ROLLUP_MISSED_HOURS * HOUR_MS,
    detail: last === null ? "never ran" : `last run ${formatAge((now - last) / 1000)} ago`,
  });
  return [
    {
      name: PIPELINE_ALARMS.rejectShare,
      ok: share === null || share <= ops.rejectSharePercent,
      detail:
        share === null
          ? `no readings yet (alarm above ${ops.rejectSharePercent}% quarantined)`
          : `${share.toFixed(1)}% quarantined (alarm above ${ops.rejectSharePercent}%)`,
    },
    {
      name: PIPELINE_ALARMS.noReadingStored,
      ok: silentFor !== null && silentFor < ops.silentMinutes * 60,
      detail:
        silentFor === null
          ? "nothing stored yet"
          : `newest reading ${formatAge(silentFor)} old (alarm after ${ops.silentMinutes} min)`,
    },
    {
      name: PIPELINE_ALARMS.activeSensorsLow,
      ok: figures.activeSensors >= ops.minActiveSensors,
      detail: `${figures.activeSensors}/${figures.registrySensors} sensors reported in the last hour (alarm below ${ops.minActiveSensors})`,
    },
    rollupCheck(PIPELINE_ALARMS.hourlyRollupMissed, context.lastHourlyRollup),
    rollupCheck(PIPELINE_ALARMS.zoneRollupMissed, context.lastZoneRollup),
  ];
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** The report as JSON, in snake case as the CLI's other JSON: `report health --json` and `GET /health`. */
export function healthJson(report: HealthReport) {
  return {
    at: report.at,
    window_minutes: report.windowMinutes,
    received: report.received,
    stored: report.stored,
    quarantined: report.quarantined,
    quarantined_by_reason: report.quarantinedByReason,
    reject_share_percent: report.rejectSharePercent,
    active_sensors: report.activeSensors,
    registry_sensors: report.registrySensors,
    last_reading_age_seconds: report.lastReadingAgeSeconds,
    open_alerts: report.openAlerts,
    last_hourly_rollup_at: report.lastHourlyRollupAt,
    last_zone_rollup_at: report.lastZoneRollupAt,
    stored_total: report.storedTotal,
    stored_last_24h: report.storedLast24h,
    database_bytes: report.databaseBytes,
    growth_bytes_per_day: report.growthBytesPerDay,
    checks: report.checks,
  };
}

/** `kaikai report health`: the figures, then one line per check. */
export function formatHealth(report: HealthReport): string {
  const reasons = Object.entries(report.quarantinedByReason)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(", ");
  const lines = [
    `Pipeline health at ${report.at} (last ${report.windowMinutes} min)`,
    "",
    `readings       received ${report.received}, stored ${report.stored}, quarantined ${report.quarantined}${reasons ? ` (${reasons})` : ""}`,
    `reject share   ${report.rejectSharePercent === null ? "no readings yet" : `${report.rejectSharePercent.toFixed(1)}%`}`,
    `sensors        ${report.activeSensors} active in the last hour of ${report.registrySensors} in the registry`,
    `last reading   ${report.lastReadingAgeSeconds === null ? "none" : `${formatAge(report.lastReadingAgeSeconds)} ago`}`,
    `open alerts    ${report.openAlerts}`,
    `roll-ups       hourly ${report.lastHourlyRollupAt ?? "never"}, zones ${report.lastZoneRollupAt ?? "never"}`,
    `storage        ${formatBytes(report.databaseBytes)}, ${report.storedTotal} readings, ${report.storedLast24h} in 24 h${report.growthBytesPerDay === null ? "" : ` (~${formatBytes(report.growthBytesPerDay)}/day)`}`,
    "",
    ...report.checks.map((check) => `${check.ok ? "OK   " : "ALARM"} ${check.name}: ${check.detail}`),
  ];
  return lines.join("\n");
}
