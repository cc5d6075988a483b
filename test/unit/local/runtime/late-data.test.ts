/**
 * A reading that arrives hours after its hour was rolled up changes that hour's row, its zone's,
 * its day's figures and the NowCast of the hours after it on the next scheduled run.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { localDayOf } from "../../../../lambdas/core/daily.js";
import { HOUR_MS, hourStartOf } from "../../../../lambdas/core/time.js";
import { dailyReport } from "../../../../local/figures.js";
import type { Db } from "../../../../local/sqlite/database.js";
import { toSqliteTime } from "../../../../local/sqlite/time.js";
import { freshDatabaseEachTest, localRollupsOf } from "../../../fixtures/database.js";

const database = freshDatabaseEachTest("kaikai-late-");
let db: Db;
let printed: string[];
beforeEach(() => {
  db = database.current();
  printed = [];
});

const rollups = () => localRollupsOf(db, (line) => printed.push(line));

const insert = (sensorId: string, at: number, pm25: number, receivedAt: number): void => {
  db.prepare(
    `INSERT INTO measurements (sensor_id, timestamp, pm25, temperature, humidity, co2, received_at)
     VALUES (?, ?, ?, 28, 70, 500, ?)`,
  ).run(sensorId, toSqliteTime(at), pm25, receivedAt);
};

const hourlyRow = (sensorId: string, hour: number) =>
  db
    .prepare("SELECT readings, pm25_sum, nowcast_pm25 FROM hourly_aggregates WHERE sensor_id = ? AND hour = ?")
    .get(sensorId, toSqliteTime(hour)) as { readings: number; pm25_sum: number; nowcast_pm25: number | null };
const zoneRow = (zone: string, hour: number) =>
  db
    .prepare("SELECT readings, pm25_mean FROM zone_aggregates WHERE zone = ? AND hour = ?")
    .get(zone, toSqliteTime(hour)) as {
    readings: number;
    pm25_mean: number;
  };

describe("late data", () => {
  it("a reading ten hours late changes its hour's, zone's and day's figures on the next run", async () => {
    const currentHour = hourStartOf(Date.now());
    // SENS001 (Urban) reported 10 or 11 at the start of each of the last 20 hours (never the same
    // value three times running: that would be a stuck sensor); all rolled up.
    for (let ago = 20; ago >= 1; ago--) insert("SENS001", currentHour - ago * HOUR_MS, 10 + (ago % 2), Date.now());
    const local = rollups();
    await local.runLastDay();
    const late = currentHour - 10 * HOUR_MS;
    expect(hourlyRow("SENS001", late)).toMatchObject({ readings: 1, pm25_sum: 10 });
    expect(zoneRow("Urban", late)).toMatchObject({ readings: 1, pm25_mean: 10 });
    const nowcastBefore = hourlyRow("SENS001", late + HOUR_MS).nowcast_pm25 ?? 0;
    const day = localDayOf(late, "Africa/Dakar");
    const dailyBefore = dailyReport(db, { from: day, to: day, timeZone: "Africa/Dakar", lang: "en" }).rows.find(
      (row) => row.id === "SENS001",
    )?.pm25_24h_mean;

    // A reading for ten hours ago arrives now (a sensor that was offline sends its backlog).
    insert("SENS001", late + 30 * 60_000, 30, Date.now());
    await local.runScheduled();

    expect(hourlyRow("SENS001", late)).toMatchObject({ readings: 2, pm25_sum: 40 });
    expect(zoneRow("Urban", late)).toMatchObject({ readings: 2, pm25_mean: 20 });
    // The NowCast of the hour after it weighs the late hour's new (corrected) mean.
    expect(hourlyRow("SENS001", late + HOUR_MS).nowcast_pm25).toBeGreaterThan(nowcastBefore);
    const dailyAfter = dailyReport(db, { from: day, to: day, timeZone: "Africa/Dakar", lang: "en" }).rows.find(
      (row) => row.id === "SENS001",
    )?.pm25_24h_mean;
    expect(dailyAfter).not.toBe(dailyBefore);
    expect(printed).toContainEqual(expect.stringMatching(/^late readings: rolled up again /));
  });

  it("rolls up nothing again when nothing arrived late", async () => {
    const currentHour = hourStartOf(Date.now());
    insert("SENS002", currentHour - 5 * HOUR_MS, 10, Date.now());
    const local = rollups();
    await local.runLastDay();
    const version = () =>
      db
        .prepare("SELECT MAX(version) FROM hourly_aggregates WHERE hour < ?")
        .pluck()
        .get(toSqliteTime(currentHour - 3 * HOUR_MS));
    const before = version();
    await local.runScheduled();
    expect(version()).toBe(before);
    expect(printed.filter((line) => line.startsWith("late readings"))).toEqual([]);
  });
});
