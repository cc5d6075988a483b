/**
 * `kaikai report nowcast|daily|who` on a known store: the official figures of lambdas/core, per
 * sensor and zone, every zone named, each row with its averaging period.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS } from "../../../lambdas/core/time.js";
import { dailyReport, nowcastReport, whoReport } from "../../../local/figures.js";
import type { Db } from "../../../local/sqlite/database.js";
import { toSqliteTime } from "../../../local/sqlite/time.js";
import { freshDatabaseEachTest } from "../../fixtures/database.js";

const database = freshDatabaseEachTest("kaikai-figures-");
let db: Db;
beforeEach(() => {
  db = database.current();
});

/** A reading judged official as it is (as a reference instrument's: corrected = raw, no flag). */
const insert = (sensorId: string, at: number, pm25: number): void => {
  db.prepare(
    `INSERT INTO measurements (sensor_id, timestamp, pm25, temperature, humidity, co2, received_at,
       quality_flags, pm25_corrected, correction_version)
     VALUES (?, ?, ?, 28, 70, 500, ?, '[]', ?, 'none@1')`,
  ).run(sensorId, toSqliteTime(at), pm25, at, pm25);
};

/** One reading at the start of each of `hours` hours from `start`, of `pm25(hour)`. */
const hourly = (sensorId: string, start: number, hours: number, pm25: (hour: number) => number): void => {
  for (let hour = 0; hour < hours; hour++) insert(sensorId, start + hour * HOUR_MS, pm25(hour));
};

const H10 = Date.parse("2026-11-28T10:00:00Z");

describe("report nowcast", () => {
  it("gives each sensor and zone its NowCast, AQI, EPA category and colour, and names the averaging", () => {
    // SENS001: eleven hours at 10, then 71 at 10:00. w = 1 - (71 - 10) / 71 = 0.14, floored at 0.5;
    // (71 + 10 x (0.5 + ... + 0.5^11)) / (1 + 0.5 + ... + 0.5^11) = 40.507, truncated 40.5: AQI 113.
    hourly("SENS001", H10 - 11 * HOUR_MS, 11, () => 10);
    insert("SENS001", H10, 71);
    // SENS002 (Residential): only 09:00 of the last three hours: no NowCast.
    insert("SENS002", H10 - HOUR_MS, 20);

    const report = nowcastReport(db, { hour: H10, lang: "en" });
    const byId = new Map(report.rows.map((row) => [row.id, row]));

    expect(byId.get("SENS001")).toMatchObject({
      scope: "sensor",
      zone: "Urban",
      hour: "2026-11-28T10:00:00.000Z",
      pm25_1h_mean: 71,
      nowcast_pm25: 40.5,
      nowcast_hours: 12,
      weight_factor: 0.5,
      aqi: 113,
      aqi_category: "Unhealthy for Sensitive Groups",
      colour: "#FF7E00",
      averaging: "NowCast (US EPA, 12-hour weighted)",
    });
    expect(byId.get("SENS002")).toMatchObject({ nowcast_pm25: null, aqi: null, nowcast_hours: 1 });
    // Zones: every zone of `sensors`, the Urban one from SENS001 and the silent SENS003.
    expect(report.rows.filter((row) => row.scope === "zone").map((row) => row.id)).toEqual([
      "Commercial",
      "Residential",
      "Urban",
    ]);
    expect(byId.get("Urban")).toMatchObject({ nowcast_pm25: 40.5, aqi: 113 });
  });

  it("speaks French with --lang fr", () => {
    hourly("SENS004", H10 - 2 * HOUR_MS, 3, () => 20);
    const report = nowcastReport(db, { hour: H10, lang: "fr" });
    expect(report.title).toContain("pour l'heure à partir de 2026-11-28 10:00 UTC");
    expect(report.rows.find((row) => row.id === "SENS004")).toMatchObject({
      aqi_category: "Moderate",
      category_name: "Modéré",
      message: expect.stringContaining("acceptable"),
    });
  });
});

describe("report daily", () => {
  const DAY = Date.parse("2026-11-27T00:00:00Z");

  it("gives a valid daily mean with 18 hours and none with 17, with the daily AQI and the WHO level", () => {
    hourly("SENS001", DAY, 18, () => 20);
    hourly("SENS004", DAY, 17, () => 20);
    const report = dailyReport(db, { from: "2026-11-27", to: "2026-11-28", timeZone: "Africa/Dakar", lang: "en" });
    const row = (id: string, day: string) => report.rows.find((r) => r.id === id && r.day === day);

    expect(row("SENS001", "2026-11-27")).toMatchObject({
      hours: 18,
      valid: "yes",
      pm25_24h_mean: 20,
      aqi: 71,
      aqi_category: "Moderate",
      who_24h_level: "IT-4",
      seed_evaluation: "MODERATE",
      averaging: "24-hour mean, local day",
    });
    expect(row("SENS004", "2026-11-27")).toMatchObject({ hours: 17, valid: "no", pm25_24h_mean: 20, aqi: null });
    // A day without readings is a row too: every sensor and zone, every day asked.
    expect(row("SENS002", "2026-11-28")).toMatchObject({ hours: 0, valid: "no", pm25_24h_mean: null });
    expect(report.rows).toHaveLength(2 * (5 + 3));
  });

  it("classifies a daily mean of exactly 12.0 as the seed's EXCELLENT, from readings 16.8, 16.6 and 2.6", () => {
    for (let hour = 0; hour < 24; hour++) {
      const at = DAY + hour * HOUR_MS;
      [16.8, 16.6, 2.6].forEach((pm25, i) => {
        insert("SENS003", at + i * 60_000, pm25);
      });
    }
    const report = dailyReport(db, { from: "2026-11-27", to: "2026-11-27", timeZone: "Africa/Dakar", lang: "en" });
    expect(report.rows.find((row) => row.id === "SENS003")).toMatchObject({
      pm25_24h_mean: 12,
      seed_evaluation: "EXCELLENT",
      aqi_category: "Moderate",
    });
  });
});

describe("report who", () => {
  it("counts a known month's days above each WHO 24-hour level, with the annual mean and its coverage", () => {
    // November 2026, SENS001: 10 days at 12, 10 at 30, 10 at 60, every hour.
    const start = Date.parse("2026-11-01T00:00:00Z");
    for (let day = 0; day < 30; day++) {
      const mean = day < 10 ? 12 : day < 20 ? 30 : 60;
      hourly("SENS001", start + day * DAY_MS, 24, () => mean);
    }
    const report = whoReport(db, { month: "2026-11", lastDay: "2026-11-30", timeZone: "Africa/Dakar", lang: "en" });
    expect(report.rows.find((row) => row.id === "SENS001")).toMatchObject({
      valid_days: 30,
      days_above_aqg_15: 20,
      days_above_it4_25: 20,
      days_above_it3_37_5: 10,
      days_above_it2_50: 10,
      days_above_it1_75: 0,
      annual_mean: 34,
      annual_valid_days: 30,
      annual_coverage: 0.082,
      annual_level: "IT-1",
    });
    expect(report.rows.find((row) => row.id === "SENS002")).toMatchObject({ valid_days: 0, annual_mean: null });
    expect(report.columns).toContain("days_above_it3_37_5");
  });
});
