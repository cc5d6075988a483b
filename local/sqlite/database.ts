import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Sensor } from "../../lambdas/core/sensor.js";

export type Db = Database.Database;

const SCHEMA_PATH = new URL("../../sql/sqlite/schema.sql", import.meta.url);

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
  db.exec(readFileSync(SCHEMA_PATH, "utf8"));
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
