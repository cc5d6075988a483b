/**
 * A database an older version made, or one made with the seed's own DDL, opens as the current
 * schema: measurement_hour_totals rebuilt with each measure's minimum and maximum from the
 * readings it holds, the seed's tables as the seed has them, every reading kept, and the
 * triggers keeping the figures from then on.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SENSORS } from "../../../../lib/config/sensors.js";
import { openDatabase, SCHEMA_VERSION, upsertSensors } from "../../../../local/sqlite/database.js";

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url), "utf8");
const V0_SCHEMA = fixture("sqlite-schema-v0.sql");
const SEED_SCHEMA = fixture("seed/schema.sql");
const SEED_DATA = fixture("seed/data.sql");
const HOUR_FIGURES =
  "SELECT sensor_id, hour, readings, pm25_sum, pm25_min, pm25_max, co2_min, co2_max FROM measurement_hour_totals ORDER BY sensor_id, hour";

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kaikai-migrations-"));
  path = join(dir, "kaikai.db");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function insertReading(db: Database.Database, sensorId: string, timestamp: string, pm25: number, co2: number): void {
  db.prepare(
    `INSERT INTO measurements (sensor_id, timestamp, pm25, temperature, humidity, co2, received_at)
     VALUES (?, ?, ?, 25, 60, ?, 0)`,
  ).run(sensorId, timestamp, pm25, co2);
}

/** A database as the version before user_version 1 left it, with three readings in two sensor-hours. */
function olderDatabase(): void {
  const db = new Database(path);
  db.exec(V0_SCHEMA);
  const sensor = db.prepare(
    `INSERT INTO sensors VALUES (@sensorId, @locationName, @zone, @latitude, @longitude, @installationDate, @city, @reportingIntervalSeconds)`,
  );
  for (const each of SENSORS) sensor.run(each);
  insertReading(db, "SENS001", "2026-11-28 10:05:00", 12.5, 500);
  insertReading(db, "SENS001", "2026-11-28 10:35:00", 40, 420);
  insertReading(db, "SENS002", "2026-11-28 11:00:00", 8, 610);
  db.close();
}

describe("opening a database an older version made", () => {
  it("rebuilds the hour figures with minimums and maximums, keeping every reading", () => {
    olderDatabase();
    const db = openDatabase(path);
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.prepare("SELECT COUNT(*) AS n FROM measurements").get()).toEqual({ n: 3 });
      expect(db.prepare(HOUR_FIGURES).all()).toEqual([
        {
          sensor_id: "SENS001",
          hour: "2026-11-28 10:00:00",
          readings: 2,
          pm25_sum: 52.5,
          pm25_min: 12.5,
          pm25_max: 40,
          co2_min: 420,
          co2_max: 500,
        },
        {
          sensor_id: "SENS002",
          hour: "2026-11-28 11:00:00",
          readings: 1,
          pm25_sum: 8,
          pm25_min: 8,
          pm25_max: 8,
          co2_min: 610,
          co2_max: 610,
        },
      ]);

      insertReading(db, "SENS001", "2026-11-28 10:50:00", 90, 400);
      expect(db.prepare(HOUR_FIGURES).get()).toMatchObject({ readings: 3, pm25_max: 90, co2_min: 400 });
    } finally {
      db.close();
    }
  });

  it("changes nothing when opened again", () => {
    olderDatabase();
    openDatabase(path).close();
    const db = openDatabase(path);
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.prepare("SELECT SUM(readings) AS n FROM measurement_hour_totals").get()).toEqual({ n: 3 });
    } finally {
      db.close();
    }
  });

  it("starts a new database at the current version", () => {
    const db = openDatabase(path);
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it("moves the registry's extras out of the seed's sensors table, keeping them", () => {
    olderDatabase();
    const db = openDatabase(path);
    try {
      expect(db.prepare("SELECT name FROM pragma_table_info('sensors')").pluck().all()).toEqual([
        "sensor_id",
        "location_name",
        "location_type",
        "latitude",
        "longitude",
        "installation_date",
      ]);
      expect(db.prepare("SELECT * FROM sensor_registry WHERE sensor_id = 'SENS003'").get()).toEqual({
        sensor_id: "SENS003",
        city: "Saint-Louis",
        reporting_interval_seconds: 60,
      });
      expect(db.prepare("SELECT COUNT(*) AS n FROM sensors").get()).toEqual({ n: SENSORS.length });
    } finally {
      db.close();
    }
  });
});

describe("the seed's schema and sample data", () => {
  it("load into a new store, the seed's own INSERT statements unchanged", () => {
    const db = openDatabase(path);
    try {
      db.exec(SEED_DATA);
      expect(db.prepare("SELECT COUNT(*) AS n FROM measurements").get()).toEqual({ n: 25 });
      // received_at defaults to the time of the insert; the hour totals follow.
      expect(db.prepare("SELECT MIN(received_at) > 0 AS ok FROM measurements").get()).toEqual({ ok: 1 });
      expect(db.prepare("SELECT SUM(readings) AS n FROM measurement_hour_totals").get()).toEqual({ n: 25 });
    } finally {
      db.close();
    }
  });

  it("a database made with the seed's DDL becomes a store, its readings kept", () => {
    const seed = new Database(path);
    seed.exec(SEED_SCHEMA);
    seed.exec(SEED_DATA);
    seed.close();
    const db = openDatabase(path);
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.prepare("SELECT COUNT(*) AS n FROM measurements").get()).toEqual({ n: 25 });
      expect(db.prepare("SELECT SUM(readings) AS n FROM measurement_hour_totals").get()).toEqual({ n: 25 });
      upsertSensors(db, SENSORS);
      expect(db.prepare("SELECT COUNT(*) AS n FROM sensor_registry").get()).toEqual({ n: SENSORS.length });
    } finally {
      db.close();
    }
  });
});

describe("opening a database whose quarantine predates the payload hash", () => {
  it("gives every row the hash of its payload's bytes, so that a resend of it is kept once", async () => {
    // As the version before this one left it: the quarantine without the hash, user_version one lower.
    const db = openDatabase(path);
    db.exec(`DROP TABLE quarantine;
      CREATE TABLE quarantine (
        quarantine_id INTEGER PRIMARY KEY AUTOINCREMENT, reason TEXT NOT NULL, detail TEXT NOT NULL,
        topic TEXT NOT NULL, sensor_id TEXT, received_at TEXT NOT NULL, payload TEXT NOT NULL,
        payload_encoding TEXT NOT NULL, replayed_at TEXT);
      INSERT INTO quarantine (reason, detail, topic, received_at, payload, payload_encoding) VALUES
        ('malformed_json', 'bad', 'kaikai/sensors/SENS001/telemetry', '2026-11-28T10:00:00.000Z', '{', 'utf8'),
        ('malformed_json', 'bad', 'kaikai/sensors/SENS001/telemetry', '2026-11-28T10:00:00.000Z', '/w==', 'base64');`);
    db.pragma(`user_version = ${SCHEMA_VERSION - 1}`);
    db.close();

    const reopened = openDatabase(path);
    try {
      const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
      expect(reopened.prepare("SELECT payload_sha256 FROM quarantine ORDER BY quarantine_id").pluck().all()).toEqual([
        sha256(Buffer.from("{")),
        sha256(Buffer.from([0xff])),
      ]);
      expect(reopened.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    } finally {
      reopened.close();
    }
  });
});
