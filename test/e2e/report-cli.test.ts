/**
 * `kaikai report` and `kaikai quarantine list` as a user runs them: they read the store and never
 * change it, and a database kaikai did not make ends in one line, not a stack trace.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { hourlyAggregates, zoneAggregates } from "../../lambdas/core/rollup.js";
import { HOUR_MS, hourStartOf } from "../../lambdas/core/time.js";
import { REGISTRY, SENSORS } from "../../lib/config/sensors.js";
import { openLocalStore } from "../../local/runtime/local-store.js";
import { makeSqliteReadingStore } from "../../local/sqlite/reading-store.js";
import { makeSqliteRollupStore } from "../../local/sqlite/rollup-store.js";
import { storedReading } from "../fixtures/telemetry.js";
import { tempDir } from "./local-helpers.js";

const removals: (() => void)[] = [];
afterEach(() => {
  for (const remove of removals.splice(0)) remove();
});

function dbFile(name: string): string {
  const dir = tempDir("kaikai-report-cli-");
  removals.push(dir.remove);
  return join(dir.path, name);
}

function kaikai(args: readonly string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "local/cli.ts", ...args], {
    env: { ...process.env, NO_COLOR: "1" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderrLines: result.stderr.trim().split("\n") };
}

describe("the reading commands", () => {
  it("leave the store exactly as they found it, even a registry sensor missing from it", () => {
    const dbPath = dbFile("kaikai.db");
    const db = openLocalStore(dbPath);
    db.prepare("DELETE FROM sensors WHERE sensor_id = 'SENS005'").run();
    db.close();
    const before = readFileSync(dbPath);

    for (const args of [
      ["report", "dakar-sensors"],
      ["report", "zone-ranking", "--json"],
      ["quarantine", "list"],
    ]) {
      expect(kaikai([...args, "--db", dbPath]).status).toBe(0);
    }
    // Nothing stored, no roll-up: its checks are in ALARM.
    expect(kaikai(["report", "health", "--db", dbPath]).status).toBe(1);

    expect(readFileSync(dbPath).equals(before)).toBe(true);
  });

  it("run every report on a database made with the seed's own DDL and INSERT statements, without writing to it", () => {
    const dbPath = dbFile("seed.db");
    const seed = new Database(dbPath);
    seed.exec(readFileSync(new URL("../fixtures/seed/schema.sql", import.meta.url), "utf8"));
    seed.exec(readFileSync(new URL("../fixtures/seed/data.sql", import.meta.url), "utf8"));
    seed.close();
    const before = readFileSync(dbPath);

    const reports = [
      ["dakar-sensors"],
      ["sensor-activity"],
      ["hourly-pm25"],
      ["zone-ranking"],
      ["nowcast", "--at", "2024-06-01T12:00:00Z"],
      ["daily", "--from", "2024-06-01", "--to", "2024-06-01"],
      ["who", "--month", "2024-06"],
      ["health"],
    ];
    for (const args of reports) {
      const { status, stdout, stderrLines } = kaikai(["report", ...args, "--json", "--db", dbPath]);
      // The seed's readings are of 2024 and no roll-up ever ran: health is in ALARM, and says so.
      const expected = args[0] === "health" ? 1 : 0;
      expect({ args, status, stderrLines }).toEqual({ args, status: expected, stderrLines: [""] });
      expect(stdout.length).toBeGreaterThan(2);
    }
    const activity = JSON.parse(kaikai(["report", "sensor-activity", "--json", "--db", dbPath]).stdout) as {
      measurements: number;
    }[];
    expect(activity.reduce((total, row) => total + row.measurements, 0)).toBe(25);
    // Five readings an hour from 08:15: 12:00 has its hour and the two before, so a NowCast.
    const nowcast = JSON.parse(
      kaikai(["report", "nowcast", "--at", "2024-06-01T12:00:00Z", "--json", "--db", dbPath]).stdout,
    ) as { id: string; nowcast_pm25: number | null }[];
    expect(nowcast.find((row) => row.id === "SENS001")?.nowcast_pm25).toEqual(expect.any(Number));
    expect(kaikai(["quarantine", "list", "--db", dbPath]).status).toBe(0);

    expect(readFileSync(dbPath).equals(before)).toBe(true);
    // Eleven CLI processes, one after the other: about 15 s on 2 idle cores, twice that on busy ones.
  }, 90_000);

  it("report health exits 0 when every check holds and 1 when one is in ALARM", async () => {
    const dbPath = dbFile("healthy.db");
    const db = openLocalStore(dbPath);
    const now = Date.now();
    await makeSqliteReadingStore(db).write(
      SENSORS.map((sensor) => storedReading(sensor.sensorId, now - 60_000, { pm25: 12 }, now - 59_000)),
    );
    const rollups = makeSqliteRollupStore(db, REGISTRY);
    const range = { from: hourStartOf(now) - HOUR_MS, to: hourStartOf(now) };
    const rows = hourlyAggregates(REGISTRY, await rollups.bins(range), range);
    await rollups.writeHourly(rows, now);
    await rollups.writeZones(zoneAggregates(rows), now);
    db.close();

    const healthy = kaikai(["report", "health", "--db", dbPath]);
    expect(healthy.stdout).not.toContain("ALARM");
    expect(healthy.status).toBe(0);
    const json = kaikai(["report", "health", "--json", "--db", dbPath]);
    expect(JSON.parse(json.stdout)).toMatchObject({ active_sensors: SENSORS.length, registry_sensors: SENSORS.length });

    const quiet = openLocalStore(dbPath);
    quiet.prepare("DELETE FROM measurements").run();
    quiet.close();
    const alarming = kaikai(["report", "health", "--db", dbPath]);
    expect(alarming.stdout).toMatch(/^ALARM /m);
    expect(alarming.status).toBe(1);
  });

  it("say in one line that a database is neither kaikai's nor of the seed's schema", () => {
    const dbPath = dbFile("other.db");
    const other = new Database(dbPath);
    other.exec("CREATE TABLE sensors (sensor_id TEXT PRIMARY KEY); CREATE TABLE measurements (sensor_id TEXT)");
    other.close();

    const { status, stderrLines } = kaikai(["report", "zone-ranking", "--db", dbPath]);

    expect(status).toBe(1);
    expect(stderrLines).toEqual([
      `kaikai: ${dbPath} has no sensors.location_name, sensors.location_type, sensors.latitude, sensors.longitude, sensors.installation_date, measurements.measurement_id, measurements.timestamp, measurements.pm25, measurements.temperature, measurements.humidity, measurements.co2: it is neither a kaikai store nor a database of the seed's schema`,
    ]);
  });
});
