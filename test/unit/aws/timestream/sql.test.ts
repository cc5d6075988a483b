import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HOURLY_AGGREGATES_SQL, HOURLY_READINGS_SQL, renderSql } from "../../../../lambdas/aws/timestream/sql.js";
import { HOUR_MS } from "../../../../lambdas/core/time.js";

const sqlFile = (name: string): string =>
  readFileSync(new URL(`../../../../sql/timestream/${name}`, import.meta.url), "utf8");
const T0 = Date.parse("2026-11-28T10:00:00Z");
const TARGET = { database: "kaikai_dev", table: "measurements" };

describe("the Timestream SQL the roll-ups run", () => {
  it("is the text of sql/timestream, bundled as it is", () => {
    expect(HOURLY_READINGS_SQL).toBe(sqlFile("hourly-readings.sql"));
    expect(HOURLY_AGGREGATES_SQL).toBe(sqlFile("hourly-aggregates.sql"));
  });

  it("fills in quoted names and ISO times written by code", () => {
    const sql = renderSql(HOURLY_READINGS_SQL, TARGET, { from: T0, to: T0 + 3 * HOUR_MS });
    expect(sql).toContain('FROM "kaikai_dev"."measurements"');
    expect(sql).toContain("time >= from_iso8601_timestamp('2026-11-28T10:00:00.000Z')");
    expect(sql).toContain("time < from_iso8601_timestamp('2026-11-28T13:00:00.000Z')");
    expect(sql).toContain("ORDER BY sensor_id, time");
    expect(sql).not.toContain("{{");
  });

  it.each([
    ["a quote", { ...TARGET, table: 'measurements"; DROP' }],
    ["a space", { ...TARGET, database: "kaikai dev" }],
    ["too short a name", { ...TARGET, database: "kd" }],
  ])("refuses a name with %s", (_, target) => {
    expect(() => renderSql(HOURLY_READINGS_SQL, target, { from: T0, to: T0 + HOUR_MS })).toThrow(/identifier/);
  });

  it("refuses times off the hour and empty ranges", () => {
    expect(() => renderSql(HOURLY_READINGS_SQL, TARGET, { from: T0 + 1, to: T0 + HOUR_MS })).toThrow(/hour boundary/);
    expect(() => renderSql(HOURLY_READINGS_SQL, TARGET, { from: T0, to: T0 })).toThrow(/empty/);
  });

  it.each(["dakar-sensors.sql", "sensor-activity.sql", "hourly-pm25.sql", "zone-ranking.sql"])(
    "ships the seed's query %s for the measurements table",
    (name) => {
      expect(sqlFile(name)).toMatch(/FROM "\{\{database\}\}"\."measurements"/);
    },
  );
});
