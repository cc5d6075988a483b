import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EnrichedReading } from "../../../../lambdas/core/reading.js";
import { hourlyAggregates, zoneAggregates } from "../../../../lambdas/core/rollup.js";
import { HOUR_MS } from "../../../../lambdas/core/time.js";
import { VersionConflictError } from "../../../../lambdas/ports.js";
import { REGISTRY, SENSORS } from "../../../../lib/config/sensors.js";
import { replayQuarantine } from "../../../../local/quarantine-replay.js";
import { makeLocalObservability } from "../../../../local/runtime/local-observability.js";
import { countOpenAlerts, makeSqliteAlertStateStore } from "../../../../local/sqlite/alert-state-store.js";
import { type Db, openDatabase, upsertSensors } from "../../../../local/sqlite/database.js";
import { makeSqliteQuarantine } from "../../../../local/sqlite/quarantine.js";
import { makeSqliteReadingStore } from "../../../../local/sqlite/reading-store.js";
import { makeSqliteRollupStore } from "../../../../local/sqlite/rollup-store.js";
import { fromSqliteTime, toSqliteTime } from "../../../../local/sqlite/time.js";
import { withQuality } from "../../../fixtures/telemetry.js";

const NOW = Date.parse("2026-11-28T12:00:00Z");

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kaikai-sqlite-"));
  db = openDatabase(join(dir, "kaikai.db"));
  upsertSensors(db, SENSORS);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const enriched = (sensorId: string, timestamp: number, pm25: number, receivedAt = NOW): EnrichedReading =>
  withQuality({
    sensorId,
    timestamp,
    pm25,
    temperature: 30,
    humidity: 70,
    co2: 600,
    locationName: "x",
    zone: "Urban",
    city: "Dakar",
    receivedAt,
  });

describe("SQLite times", () => {
  it("writes SQLite's own datetime text, milliseconds only when there are some, and reads it back", () => {
    expect(toSqliteTime(Date.parse("2026-11-28T10:00:00Z"))).toBe("2026-11-28 10:00:00");
    expect(toSqliteTime(Date.parse("2026-11-28T10:00:00.250Z"))).toBe("2026-11-28 10:00:00.250");
    expect(fromSqliteTime("2026-11-28 10:00:00.250")).toBe(Date.parse("2026-11-28T10:00:00.250Z"));
    const sqliteNow = db.prepare("SELECT datetime(?, 'unixepoch') AS t").get(NOW / 1000) as { t: string };
    expect(toSqliteTime(NOW)).toBe(sqliteNow.t);
  });
});

describe("the schema", () => {
  it("is applied again on every open without harm, and keeps the seed's four indexes", () => {
    db.close();
    db = openDatabase(join(dir, "kaikai.db"));
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%'")
      .pluck()
      .all();
    expect(indexes).toEqual(
      expect.arrayContaining([
        "idx_measurements_sensor_id",
        "idx_measurements_timestamp",
        "idx_measurements_pm25",
        "idx_sensors_location",
      ]),
    );
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
  });

  it("fills the seed's sensors table from the registry, and the registry's extras beside it", () => {
    expect(
      db
        .prepare(
          "SELECT s.sensor_id, location_type, city FROM sensors s JOIN sensor_registry USING (sensor_id) WHERE s.sensor_id = 'SENS003'",
        )
        .get(),
    ).toEqual({ sensor_id: "SENS003", location_type: "Urban", city: "Saint-Louis" });
  });
});

describe("the reading store", () => {
  it("refuses a reading of a sensor missing from `sensors` as that reading's rejection, and stores the others", async () => {
    const store = makeSqliteReadingStore(db);
    const { rejected } = await store.write([enriched("SENS001", NOW, 10), enriched("GHOST", NOW, 10)]);
    expect(rejected).toEqual([
      { index: 1, code: "store_rejected", reason: expect.stringContaining("SQLITE_CONSTRAINT_FOREIGNKEY") },
    ]);
    expect(db.prepare("SELECT COUNT(*) FROM measurements").pluck().get()).toBe(1);
  });

  it("keeps a stored reading as it is: an identical re-send is a no-op, one with other values a conflict", async () => {
    const store = makeSqliteReadingStore(db);
    expect(await store.write([enriched("SENS001", NOW, 10)])).toEqual({ rejected: [], unwritten: [] });
    expect((await store.write([enriched("SENS001", NOW, 10), enriched("SENS001", NOW, 11)])).rejected).toEqual([
      { index: 1, code: "conflicting_duplicate", reason: expect.stringContaining("pm25 10 (sent 11)") },
    ]);
    expect(db.prepare("SELECT pm25 FROM measurements").pluck().all()).toEqual([10]);
  });
});

describe("the quarantine", () => {
  const entry = {
    reason: "unknown_sensor" as const,
    detail: "SENS001 is not in the registry",
    topic: "kaikai/sensors/SENS001/telemetry",
    sensorId: "SENS001",
    receivedAt: new Date(NOW).toISOString(),
    payload: JSON.stringify({
      sensor_id: "SENS001",
      timestamp: NOW - 60_000,
      pm25: 12,
      temperature: 30,
      humidity: 70,
      co2: 600,
    }),
    payloadEncoding: "utf8" as const,
  };

  it("keeps each entry whole, and lists them by reason", async () => {
    const quarantine = makeSqliteQuarantine(db);
    await quarantine.put([entry, { ...entry, reason: "malformed_json", payload: "{", detail: "bad" }]);
    expect(quarantine.list({ reason: "unknown_sensor" })).toEqual([{ id: 1, ...entry, replayedAt: null }]);
    expect(quarantine.countsByReason()).toEqual([
      { reason: "malformed_json", pending: 1, replayed: 0 },
      { reason: "unknown_sensor", pending: 1, replayed: 0 },
    ]);
  });

  it("keeps a message delivered again once, whenever it arrives, and another message of the same topic beside it", async () => {
    const quarantine = makeSqliteQuarantine(db);
    await quarantine.put([entry]);
    const later = new Date(Date.parse(entry.receivedAt) + 60_000).toISOString();
    await quarantine.put([
      { ...entry, receivedAt: later },
      { ...entry, receivedAt: later },
    ]);
    expect(quarantine.list({})).toHaveLength(1);
    await quarantine.put([{ ...entry, payload: entry.payload.replace('"pm25":12', '"pm25":13') }]);
    expect(quarantine.list({})).toHaveLength(2);
  });

  it("replays: a reading that passes now is stored once and marked; one that still fails keeps its row with its new reason", async () => {
    const quarantine = makeSqliteQuarantine(db);
    const outOfRange = { ...entry, payload: entry.payload.replace('"pm25":12', '"pm25":4000') };
    await quarantine.put([entry, outOfRange]);
    const deps = {
      db,
      registry: REGISTRY,
      clock: { now: () => NOW },
      maxReadingAgeMs: 30 * 86_400_000,
      observability: makeLocalObservability(),
    };
    expect(await replayQuarantine(deps, {})).toEqual({
      replayed: 2,
      stored: 1,
      refused: { out_of_range: 1 },
      failed: 0,
    });
    const rows = quarantine.list({});
    expect(rows.map(({ reason, replayedAt }) => ({ reason, replayedAt }))).toEqual([
      { reason: "unknown_sensor", replayedAt: new Date(NOW).toISOString() },
      { reason: "out_of_range", replayedAt: null },
    ]);
    expect(await replayQuarantine(deps, {})).toEqual({
      replayed: 1,
      stored: 0,
      refused: { out_of_range: 1 },
      failed: 0,
    });
    expect(db.prepare("SELECT COUNT(*) FROM measurements").pluck().get()).toBe(1);
    expect(db.prepare("SELECT COUNT(*) FROM quarantine").pluck().get()).toBe(2);
  });
});

describe("the alert state store", () => {
  it("saves with optimistic locking: a stale version changes nothing and throws", async () => {
    const store = makeSqliteAlertStateStore(db);
    expect(await store.load("SENS001")).toEqual({ states: {}, version: null });
    const open = { pm25_reading_very_high: { openedAt: NOW, lastNotifiedAt: NOW } };
    await store.save("SENS001", open, null);
    await expect(store.save("SENS001", {}, null)).rejects.toBeInstanceOf(VersionConflictError);
    const loaded = await store.load("SENS001");
    expect(loaded.states).toEqual(open);
    expect(countOpenAlerts(db)).toBe(1);

    const resolved = { pm25_reading_very_high: { openedAt: null, lastNotifiedAt: NOW + 1 } };
    await store.save("SENS001", resolved, loaded.version);
    await expect(store.save("SENS001", open, loaded.version)).rejects.toBeInstanceOf(VersionConflictError);
    expect((await store.load("SENS001")).states).toEqual(resolved);
    expect(countOpenAlerts(db)).toBe(0);
  });
});

describe("the roll-up store", () => {
  it("bins readings per sensor and hour, and a re-run with a newer version overwrites the rows", async () => {
    const hour = NOW - 2 * HOUR_MS;
    await makeSqliteReadingStore(db).write([
      enriched("SENS001", hour + 60_000, 10),
      enriched("SENS001", hour + 120_000, 30),
      enriched("SENS002", hour + HOUR_MS + 5, 8),
    ]);
    const rollups = makeSqliteRollupStore(db, REGISTRY);
    const range = { from: hour, to: hour + 2 * HOUR_MS };
    const bins = await rollups.bins(range);
    expect(bins).toContainEqual({
      sensorId: "SENS001",
      hourStart: hour,
      readings: 2,
      measures: {
        pm25: { count: 2, sum: 40, min: 10, max: 30 },
        temperature: { count: 2, sum: 60, min: 30, max: 30 },
        humidity: { count: 2, sum: 140, min: 70, max: 70 },
        co2: { count: 2, sum: 1200, min: 600, max: 600 },
        // The official PM2.5: the EPA's correction of each (PMS5003), 0.524 x raw - 0.0862 x 70 + 5.75.
        pm25_corrected: { count: 2, sum: expect.closeTo(20.4, 9), min: 4.96, max: 15.44 },
      },
      flags: {},
    });
    expect(bins).toHaveLength(2);

    const rows = hourlyAggregates(REGISTRY, bins, range);
    await rollups.writeHourly(rows, NOW);
    expect(await rollups.hourly(range)).toEqual(rows);
    await rollups.writeHourly([], NOW + 1);
    await rollups.writeHourly(
      rows.map((row) => ({ ...row, readings: 99 })),
      NOW - 1,
    );
    expect(await rollups.hourly(range)).toEqual(rows);

    const zones = zoneAggregates(rows);
    await rollups.writeZones(zones, NOW);
    const ranked = db
      .prepare("SELECT zone, rank, evaluation FROM zone_aggregates WHERE hour = ? ORDER BY rank IS NULL, rank, zone")
      .all(toSqliteTime(hour));
    expect(ranked).toEqual([
      { zone: "Urban", rank: 1, evaluation: "MODERATE" },
      { zone: "Commercial", rank: null, evaluation: null },
      { zone: "Residential", rank: null, evaluation: null },
    ]);
  });
});
