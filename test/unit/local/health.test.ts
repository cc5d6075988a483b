import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EnrichedReading } from "../../../lambdas/core/reading.js";
import { EMPTY_MEASURES } from "../../../lambdas/core/rollup.js";
import type { QuarantineEntry } from "../../../lambdas/ports.js";
import { REGISTRY, SENSORS } from "../../../lib/config/sensors.js";
import { formatHealth, type HealthReport, healthReport } from "../../../local/health.js";
import { makeSqliteAlertStateStore } from "../../../local/sqlite/alert-state-store.js";
import { type Db, openDatabase, upsertSensors } from "../../../local/sqlite/database.js";
import { makeSqliteQuarantine } from "../../../local/sqlite/quarantine.js";
import { makeSqliteReadingStore } from "../../../local/sqlite/reading-store.js";
import { makeSqliteRollupStore } from "../../../local/sqlite/rollup-store.js";
import { withQuality } from "../../fixtures/telemetry.js";

const NOW = Date.parse("2026-11-28T10:30:00Z");
const MINUTE = 60_000;
const OPS = { rejectSharePercent: 20, silentMinutes: 15, minActiveSensors: 3 };

function reading(sensorId: string, minutesAgo: number): EnrichedReading {
  const sensor = REGISTRY.get(sensorId);
  if (!sensor) throw new Error(`${sensorId} is not in the registry`);
  const timestamp = NOW - minutesAgo * MINUTE;
  return withQuality({
    sensorId,
    timestamp,
    pm25: 20,
    temperature: 28,
    humidity: 70,
    co2: 600,
    locationName: sensor.locationName,
    zone: sensor.zone,
    city: sensor.city,
    receivedAt: timestamp + 1000,
  });
}

function rejected(reason: QuarantineEntry["reason"], minutesAgo: number): QuarantineEntry {
  return {
    reason,
    detail: "test",
    topic: "kaikai/sensors/SENS001/telemetry",
    receivedAt: new Date(NOW - minutesAgo * MINUTE).toISOString(),
    // Each its own message: the quarantine keeps a message delivered twice once.
    payload: `{"sent_minutes_ago":${minutesAgo}`,
    payloadEncoding: "utf8",
  };
}

describe("local health report", () => {
  let directory: string;
  let path: string;
  let db: Db;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "kaikai-health-"));
    path = join(directory, "kaikai.db");
    db = openDatabase(path);
    upsertSensors(db, SENSORS);
  });
  afterEach(() => {
    db.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const report = (): HealthReport => healthReport(db, { now: NOW, windowMinutes: 15, ops: OPS, databasePath: path });

  it("reports an empty store as silent, with nothing to share and every roll-up missing", () => {
    const health = report();
    expect(health).toMatchObject({
      received: 0,
      stored: 0,
      quarantined: 0,
      rejectSharePercent: null,
      activeSensors: 0,
      registrySensors: SENSORS.length,
      lastReadingAgeSeconds: null,
      openAlerts: 0,
      lastHourlyRollupAt: null,
      storedTotal: 0,
      growthBytesPerDay: null,
    });
    expect(health.databaseBytes).toBeGreaterThan(0);
    const failing = health.checks.filter((check) => !check.ok).map((check) => check.name);
    expect(failing).toEqual(["no-reading-stored", "active-sensors-low", "hourly-rollup-missed", "zone-rollup-missed"]);
  });

  it("counts the window's flow, reject mix, active sensors, alerts and roll-ups from the same tables the pipeline writes", async () => {
    await makeSqliteReadingStore(db).write([
      reading("SENS001", 2),
      reading("SENS001", 5),
      reading("SENS002", 10),
      reading("SENS003", 14),
      // In the last hour but outside the 15-minute window.
      reading("SENS004", 40),
      // Yesterday: counted in the totals only.
      reading("SENS005", 20 * 60),
    ]);
    await makeSqliteQuarantine(db).put([
      rejected("malformed_json", 1),
      rejected("malformed_json", 3),
      rejected("out_of_range", 7),
      rejected("unknown_sensor", 90),
    ]);
    const alerts = makeSqliteAlertStateStore(db);
    await alerts.save("SENS001", { pm25_reading_very_high: { openedAt: NOW, lastNotifiedAt: NOW } }, null);
    await alerts.save(
      "SENS002",
      {
        pm25_reading_very_high: { openedAt: NOW, lastNotifiedAt: NOW },
        co2_reading_high: { openedAt: NOW, lastNotifiedAt: NOW },
      },
      null,
    );
    // Resolved: the rule's state stays, without openedAt.
    await alerts.save("SENS003", { pm25_reading_very_high: { openedAt: null, lastNotifiedAt: NOW } }, null);
    const sensor = SENSORS[0];
    if (!sensor) throw new Error("empty registry");
    await makeSqliteRollupStore(db, REGISTRY).writeHourly(
      [
        {
          sensorId: sensor.sensorId,
          locationName: sensor.locationName,
          zone: sensor.zone,
          city: sensor.city,
          hourStart: Date.parse("2026-11-28T09:00:00Z"),
          nowcastPm25: null,
          readings: 0,
          expectedReadings: 60,
          completeness: 0,
          coverage: 0,
          measures: EMPTY_MEASURES,
          flags: {},
        },
      ],
      NOW - 25 * MINUTE,
    );

    const health = report();
    expect(health).toMatchObject({
      stored: 4,
      quarantined: 3,
      received: 7,
      quarantinedByReason: { malformed_json: 2, out_of_range: 1 },
      activeSensors: 4,
      lastReadingAgeSeconds: 120,
      openAlerts: 3,
      lastHourlyRollupAt: "2026-11-28T10:05:00.000Z",
      lastZoneRollupAt: null,
      storedTotal: 6,
      storedLast24h: 6,
    });
    expect(health.rejectSharePercent).toBeCloseTo((100 * 3) / 7, 6);
    expect(health.growthBytesPerDay).toBeGreaterThan(0);
    const byName = Object.fromEntries(health.checks.map((check) => [check.name, check.ok]));
    expect(byName).toEqual({
      "reject-share": false,
      "no-reading-stored": true,
      "active-sensors-low": true,
      "hourly-rollup-missed": true,
      "zone-rollup-missed": false,
    });

    const text = formatHealth(health);
    expect(text).toContain("received 7, stored 4, quarantined 3 (malformed_json 2, out_of_range 1)");
    expect(text).toContain("ALARM reject-share: 42.9% quarantined (alarm above 20%)");
  });

  it("counts a backfill of old readings received in the window as stored in it, so the reject share stays true", async () => {
    const backfill = Array.from({ length: 99 }, (_, index) => ({
      ...reading("SENS001", 20 * 60 - index),
      receivedAt: NOW - MINUTE,
    }));
    await makeSqliteReadingStore(db).write(backfill);
    await makeSqliteQuarantine(db).put([rejected("malformed_json", 1)]);
    expect(report()).toMatchObject({ received: 100, stored: 99, quarantined: 1, rejectSharePercent: 1 });
  });
});
