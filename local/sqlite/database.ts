import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import type { Sensor } from "../../lambdas/core/sensor.js";

export type Db = Database.Database;

const SCHEMA_PATH = new URL("../../sql/sqlite/schema.sql", import.meta.url);
const REBUILD_HOUR_TOTALS_PATH = new URL("../../sql/sqlite/rebuild-hour-totals.sql", import.meta.url);

interface Migration {
  /** Run before schema.sql, which then creates what this removed (and may index what this added). */
  readonly before: string | ((db: Db) => void);
  /** Run after it. */
  readonly after: (db: Db) => void;
}

const columnsOf = (db: Db, table: string): string[] =>
  (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => c.name);

/** Adds a column to a table that exists and lacks it. */
function addMissingColumn(db: Db, table: string, column: string, type: string): void {
  const columns = columnsOf(db, table);
  if (columns.length > 0 && !columns.includes(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}

/** Copies the columns `from` and `to` share; the others take their defaults. */
function copyShared(db: Db, from: string, to: string): void {
  const target = new Set(columnsOf(db, to));
  const shared = columnsOf(db, from)
    .filter((column) => target.has(column))
    .join(", ");
  db.exec(`INSERT INTO ${to} (${shared}) SELECT ${shared} FROM ${from}`);
}

/**
 * What schema.sql cannot change by itself in a database an older version made (it only creates
 * what is missing), in order; PRAGMA user_version counts those applied. A new database starts
 * with all of them counted. A database made with the seed's own DDL has none applied and is
 * brought to the current schema the same way.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    // measurement_hour_totals gained each measure's min and max, for the hourly roll-up: it is
    // derived from the readings, so it is made again and filled from them.
    before: `DROP TRIGGER IF EXISTS measurements_totals_insert;
      DROP TRIGGER IF EXISTS measurements_totals_delete;
      DROP TRIGGER IF EXISTS measurements_totals_update;
      DROP TABLE IF EXISTS measurement_hour_totals;`,
    after: (db) => db.exec(readFileSync(REBUILD_HOUR_TOTALS_PATH, "utf8")),
  },
  {
    // The roll-ups gained the hour's NowCast.
    before: "",
    after: (db) => {
      for (const table of ["hourly_aggregates", "zone_aggregates"]) {
        if (!columnsOf(db, table).includes("nowcast_pm25")) {
          db.exec(`ALTER TABLE ${table} ADD COLUMN nowcast_pm25 REAL`);
        }
      }
    },
  },
  {
    // `sensors` and `measurements` became the seed's own tables, so that the seed's INSERT
    // statements load: `sensors` with the seed's six columns (the registry's city and reporting
    // interval moved to sensor_registry), and `received_at` with a default. The old tables are
    // set aside with their indexes and triggers dropped (schema.sql makes them again on the new
    // ones), their rows copied back, and the hour figures filled again by the triggers as they are.
    before: `DROP TRIGGER IF EXISTS measurements_totals_insert;
      DROP TRIGGER IF EXISTS measurements_totals_delete;
      DROP TRIGGER IF EXISTS measurements_totals_update;
      DROP INDEX IF EXISTS idx_measurements_sensor_id;
      DROP INDEX IF EXISTS idx_measurements_timestamp;
      DROP INDEX IF EXISTS idx_measurements_pm25;
      DROP INDEX IF EXISTS idx_measurements_received_at;
      DROP INDEX IF EXISTS idx_sensors_location;
      DROP TABLE IF EXISTS measurement_hour_totals;
      ALTER TABLE measurements RENAME TO measurements_before_seed;
      ALTER TABLE sensors RENAME TO sensors_before_seed;`,
    after: (db) => {
      copyShared(db, "sensors_before_seed", "sensors");
      const old = columnsOf(db, "sensors_before_seed");
      if (old.includes("city") && old.includes("reporting_interval_seconds")) {
        db.exec(`INSERT INTO sensor_registry (sensor_id, city, reporting_interval_seconds)
          SELECT sensor_id, city, reporting_interval_seconds FROM sensors_before_seed
          WHERE city IS NOT NULL AND reporting_interval_seconds IS NOT NULL`);
      }
      copyShared(db, "measurements_before_seed", "measurements");
      db.exec("DROP TABLE measurements_before_seed; DROP TABLE sensors_before_seed;");
    },
  },
  {
    // Readings gained the second PM channel and the time the roll-up judged them; the hour totals
    // the official PM2.5 (made again from the readings, as in the first migration); roll-ups their
    // coverage and counts by quality flag.
    before: (db) => {
      db.exec(`DROP TRIGGER IF EXISTS measurements_totals_insert;
        DROP TRIGGER IF EXISTS measurements_totals_delete;
        DROP TRIGGER IF EXISTS measurements_totals_update;
        DROP TABLE IF EXISTS measurement_hour_totals;`);
      // Before schema.sql, whose indexes name them; a measurements table set aside by the
      // migration before this one is made again by schema.sql with them.
      addMissingColumn(db, "measurements", "pm25_b", "REAL");
      addMissingColumn(db, "measurements", "judged_at", "INTEGER");
    },
    after: (db) => {
      for (const table of ["hourly_aggregates", "zone_aggregates"]) {
        addMissingColumn(db, table, "coverage", "REAL");
        addMissingColumn(db, table, "flag_counts", "TEXT");
      }
      db.exec(readFileSync(REBUILD_HOUR_TOTALS_PATH, "utf8"));
    },
  },
  {
    // The quarantine keeps a message delivered twice once, by the hash of its payload; the rows
    // already there get theirs.
    before: (db) => addMissingColumn(db, "quarantine", "payload_sha256", "TEXT"),
    after: (db) => {
      const rows = db
        .prepare("SELECT quarantine_id, payload, payload_encoding FROM quarantine WHERE payload_sha256 IS NULL")
        .all() as { quarantine_id: number; payload: string; payload_encoding: "utf8" | "base64" }[];
      const update = db.prepare("UPDATE quarantine SET payload_sha256 = ? WHERE quarantine_id = ?");
      for (const row of rows) update.run(payloadSha256(row.payload, row.payload_encoding), row.quarantine_id);
    },
  },
];

/** The SHA-256 of a quarantined payload's bytes, from the text the quarantine keeps it as. */
export function payloadSha256(payload: string, encoding: "utf8" | "base64"): string {
  return createHash("sha256").update(Buffer.from(payload, encoding)).digest("hex");
}

/** The schema's version, as PRAGMA user_version records it. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Schema and registry writes take the write lock when they begin (IMMEDIATE): a deferred
 * transaction that reads and then writes gets SQLITE_BUSY at once, without waiting out the busy
 * timeout, when another process (a replay beside a running start) writes meanwhile.
 */
function applySchema(db: Db): void {
  const schema = readFileSync(SCHEMA_PATH, "utf8");
  db.transaction(() => {
    const existing = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'measurements'").get();
    const applied = existing === undefined ? SCHEMA_VERSION : Number(db.pragma("user_version", { simple: true }));
    const pending = MIGRATIONS.slice(applied);
    for (const migration of pending) {
      if (typeof migration.before === "string") db.exec(migration.before);
      else migration.before(db);
    }
    db.exec(schema);
    for (const migration of pending) migration.after(db);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/**
 * Opens (creating if needed) the local store and applies the schema. WAL lets reports read while
 * ingest writes; synchronous=FULL makes every commit durable before it returns, and the broker only
 * acknowledges a reading after its commit returned, so an acknowledged reading survives a kill or
 * a power cut. Group commit keeps that affordable: one fsync per batch, not per reading.
 */
export function openDatabase(path: string): Db {
  return explainingOpenErrors(path, () => {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma("busy_timeout = 5000");
      db.pragma("foreign_keys = ON");
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      applySchema(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return db;
  });
}

/**
 * A `--db` that cannot be opened (a directory, a file the user may not write, a path under a
 * file, not a database) as one line that says so: SQLite's and the file system's errors carry a
 * code, and their message is the useful part.
 */
export function explainingOpenErrors<T>(path: string, open: () => T): T {
  if (path !== ":memory:" && existsSync(path) && statSync(path).isDirectory()) {
    throw new LocalStoreError(`${path} is a directory: give --db the database file, e.g. ${join(path, "kaikai.db")}`);
  }
  try {
    return open();
  } catch (error) {
    if (error instanceof LocalStoreError || !(error instanceof Error && "code" in error)) throw error;
    throw new LocalStoreError(`cannot use ${path} as the database: ${error.message}`);
  }
}

/** A database file that is not a Kaikai local store, or not one a reader can use. */
export class LocalStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LocalStoreError";
  }
}

interface SchemaTable {
  readonly name: string;
  readonly columns: readonly string[];
  /** What goes between the parentheses of its CREATE TABLE. */
  readonly body: string;
}

/** The tables of schema.sql with their columns, read from the file itself. */
function schemaTables(schema: string): SchemaTable[] {
  return [...schema.matchAll(/CREATE TABLE IF NOT EXISTS (\w+) \(\n([\s\S]*?)\n\)/g)].map(
    ([, name = "", body = ""]) => ({
      name,
      body,
      columns: [...body.matchAll(/^ {4}(\w+) (?:TEXT|INTEGER|REAL|DATE|DATETIME)\b/gm)].map(
        ([, column = ""]) => column,
      ),
    }),
  );
}

/** The seed's two tables (its section C1), which every database a report reads must have. */
const SEED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  sensors: ["sensor_id", "location_name", "location_type", "latitude", "longitude", "installation_date"],
  measurements: ["measurement_id", "sensor_id", "timestamp", "pm25", "temperature", "humidity", "co2"],
};

/**
 * measurement_hour_totals as a view, for a database whose readings no trigger ever summed (the
 * seed's own DDL): nothing names its instruments, so their readings are official as they are
 * (core/correction.ts: no correction for a model no EPA correction was fitted on).
 */
const HOUR_TOTALS_VIEW = `CREATE TEMP VIEW measurement_hour_totals AS
  SELECT sensor_id, strftime('%Y-%m-%d %H:00:00', timestamp) AS hour, COUNT(*) AS readings,
    SUM(pm25) AS pm25_sum, MIN(pm25) AS pm25_min, MAX(pm25) AS pm25_max,
    SUM(temperature) AS temperature_sum, MIN(temperature) AS temperature_min, MAX(temperature) AS temperature_max,
    SUM(humidity) AS humidity_sum, MIN(humidity) AS humidity_min, MAX(humidity) AS humidity_max,
    SUM(co2) AS co2_sum, MIN(co2) AS co2_min, MAX(co2) AS co2_max,
    COUNT(pm25) AS official_count, SUM(pm25) AS official_sum, MIN(pm25) AS official_min, MAX(pm25) AS official_max
  FROM measurements GROUP BY 1, 2`;

/**
 * Opens an existing database to read it only (reports, health, the quarantine list): no schema
 * applied, no registry written, so that looking at a store never changes it, and one a running
 * pipeline is writing is read as it stands (WAL). A database made with the seed's own DDL (only
 * `sensors` and `measurements`) is read too: what it lacks of the current schema is supplied for
 * this connection only, as TEMP objects that shadow or stand in for the tables (SQLite looks
 * names up in `temp` first): empty tables, a column of NULLs, hour totals summed on the fly.
 */
export function openDatabaseReadOnly(path: string): Db {
  const db = explainingOpenErrors(path, () => new Database(path, { readonly: true, fileMustExist: true }));
  db.pragma("busy_timeout = 5000");
  const present = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").all() as { name: string }[]).map(
      (t) => t.name,
    ),
  );
  const lacking = Object.entries(SEED_COLUMNS).flatMap(([table, columns]) => {
    const have = new Set(present.has(table) ? columnsOf(db, table) : []);
    return columns.filter((column) => !have.has(column)).map((column) => `${table}.${column}`);
  });
  if (lacking.length > 0) {
    db.close();
    throw new LocalStoreError(
      `${path} has no ${lacking.join(", ")}: it is neither a kaikai store nor a database of the seed's schema`,
    );
  }
  for (const table of schemaTables(readFileSync(SCHEMA_PATH, "utf8"))) {
    if (!present.has(table.name)) {
      db.exec(
        table.name === "measurement_hour_totals" ? HOUR_TOTALS_VIEW : `CREATE TEMP TABLE ${table.name} (${table.body})`,
      );
      continue;
    }
    const have = new Set(columnsOf(db, table.name));
    const missing = table.columns.filter((column) => !have.has(column));
    if (missing.length > 0) {
      db.exec(
        `CREATE TEMP VIEW ${table.name} AS SELECT *, ${missing.map((c) => `NULL AS ${c}`).join(", ")} FROM main.${table.name}`,
      );
    }
  }
  return db;
}

/**
 * Adds and updates the registry's sensors in `sensors` and their extras in `sensor_registry`
 * (the registry is the only list of sensors). A sensor dropped from the registry keeps its row:
 * its readings still refer to it.
 */
export function upsertSensors(db: Db, sensors: readonly Sensor[]): void {
  const upsert = db.prepare(
    `INSERT INTO sensors (sensor_id, location_name, location_type, latitude, longitude, installation_date)
     VALUES (@sensorId, @locationName, @zone, @latitude, @longitude, @installationDate)
     ON CONFLICT (sensor_id) DO UPDATE SET
       location_name = excluded.location_name, location_type = excluded.location_type,
       latitude = excluded.latitude, longitude = excluded.longitude,
       installation_date = excluded.installation_date`,
  );
  const upsertExtras = db.prepare(
    `INSERT INTO sensor_registry (sensor_id, city, reporting_interval_seconds)
     VALUES (@sensorId, @city, @reportingIntervalSeconds)
     ON CONFLICT (sensor_id) DO UPDATE SET
       city = excluded.city, reporting_interval_seconds = excluded.reporting_interval_seconds`,
  );
  db.transaction(() => {
    for (const sensor of sensors) {
      upsert.run(sensor);
      upsertExtras.run(sensor);
    }
  }).immediate();
}
