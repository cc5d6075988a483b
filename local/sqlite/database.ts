import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Sensor } from "../../lambdas/core/sensor.js";

export type Db = Database.Database;

const SCHEMA_PATH = new URL("../../sql/sqlite/schema.sql", import.meta.url);
const REBUILD_HOUR_TOTALS_PATH = new URL("../../sql/sqlite/rebuild-hour-totals.sql", import.meta.url);

interface Migration {
  /** Run before schema.sql, which then creates what this removed. */
  readonly before: string;
  /** Run after it. */
  readonly after: string;
}

/**
 * What schema.sql cannot change by itself in a database an older version made (it only creates
 * what is missing), in order; PRAGMA user_version counts those applied. A new database starts
 * with all of them counted.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    // measurement_hour_totals gained each measure's min and max, for the hourly roll-up: it is
    // derived from the readings, so it is made again and filled from them.
    before: `DROP TRIGGER IF EXISTS measurements_totals_insert;
      DROP TRIGGER IF EXISTS measurements_totals_delete;
      DROP TRIGGER IF EXISTS measurements_totals_update;
      DROP TABLE IF EXISTS measurement_hour_totals;`,
    after: readFileSync(REBUILD_HOUR_TOTALS_PATH, "utf8"),
  },
];

function applySchema(db: Db): void {
  const schema = readFileSync(SCHEMA_PATH, "utf8");
  const existing = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'measurements'").get();
  const applied = existing === undefined ? MIGRATIONS.length : Number(db.pragma("user_version", { simple: true }));
  db.transaction(() => {
    const pending = MIGRATIONS.slice(applied);
    for (const migration of pending) db.exec(migration.before);
    db.exec(schema);
    for (const migration of pending) db.exec(migration.after);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
}

/**
 * Opens (creating if needed) the local store and applies the schema. WAL lets reports read while
 * ingest writes; synchronous=FULL makes every commit durable before it returns, and the broker only
 * acknowledges a reading after its commit returned, so an acknowledged reading survives a kill or
 * a power cut. Group commit keeps that affordable: one fsync per batch, not per reading.
 */
export function openDatabase(path: string): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  applySchema(db);
  return db;
}

/** A database file that is not a Kaikai local store, or not one a reader can use. */
export class LocalStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LocalStoreError";
  }
}

/** What the reading commands (reports, health, the quarantine list) read. */
const TABLES_READ = ["sensors", "measurements", "measurement_hour_totals", "hourly_aggregates", "quarantine"];

/**
 * Opens an existing local store to read it only (reports, health, the quarantine list): no schema
 * applied, no registry written, so that looking at a store never changes it, and one a running
 * pipeline is writing is read as it stands (WAL).
 */
export function openDatabaseReadOnly(path: string): Db {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  const present = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name),
  );
  const missing = TABLES_READ.filter((table) => !present.has(table));
  if (missing.length > 0) {
    db.close();
    throw new LocalStoreError(`${path} has no ${missing.join(", ")} table: it is not a database kaikai made`);
  }
  return db;
}

/**
 * Adds and updates the registry's sensors in `sensors` (the registry is the only list of sensors).
 * A sensor dropped from the registry keeps its row: its readings still refer to it.
 */
export function upsertSensors(db: Db, sensors: readonly Sensor[]): void {
  const upsert = db.prepare(
    `INSERT INTO sensors (sensor_id, location_name, location_type, latitude, longitude, installation_date, city, reporting_interval_seconds)
     VALUES (@sensorId, @locationName, @zone, @latitude, @longitude, @installationDate, @city, @reportingIntervalSeconds)
     ON CONFLICT (sensor_id) DO UPDATE SET
       location_name = excluded.location_name, location_type = excluded.location_type,
       latitude = excluded.latitude, longitude = excluded.longitude,
       installation_date = excluded.installation_date, city = excluded.city,
       reporting_interval_seconds = excluded.reporting_interval_seconds`,
  );
  db.transaction(() => {
    for (const sensor of sensors) upsert.run(sensor);
  })();
}
