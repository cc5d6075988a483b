/**
 * The local pipeline at a fleet's size: a thousand sensors (the registry's five and simulated
 * ones beyond it) publishing to the embedded broker, their readings stored, rolled up per sensor
 * and hour and ranked per zone.
 */
import { afterEach, describe, expect, it } from "vitest";
import { NO_FAULTS } from "../../local/simulator/faults.js";
import { query, startTestPipeline, type TestPipeline } from "./local-helpers.js";

let running: TestPipeline | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const count = (dbPath: string, sql: string): number => query<{ n: number }>(dbPath, sql)[0]?.n ?? 0;

describe("kaikai start --sensors 1000", () => {
  it("stores every sensor's readings, rolls each sensor's hours up and ranks the zones", async () => {
    // 1.1 hours of backfill: whatever the minute, the last complete hour has readings.
    running = await startTestPipeline({
      simulate: true,
      sensors: 1000,
      simulator: { ratePerSecond: 50, backfillHours: 1.1, faults: NO_FAULTS },
    });
    await running.pipeline.ready;
    const { dbPath, lines } = running;

    expect(count(dbPath, "SELECT COUNT(*) AS n FROM sensors")).toBe(1000);
    expect(count(dbPath, "SELECT COUNT(DISTINCT sensor_id) AS n FROM measurements")).toBe(1000);
    expect(count(dbPath, "SELECT COUNT(*) AS n FROM quarantine")).toBe(0);
    const lastHour = "SELECT MAX(hour) FROM hourly_aggregates WHERE readings > 0";
    expect(
      count(dbPath, `SELECT COUNT(DISTINCT sensor_id) AS n FROM hourly_aggregates WHERE hour = (${lastHour})`),
    ).toBe(1000);
    expect(
      count(dbPath, `SELECT COUNT(*) AS n FROM zone_aggregates WHERE rank IS NOT NULL AND hour = (${lastHour})`),
    ).toBe(3);
    expect(lines.some((line) => line.startsWith("zone ranking"))).toBe(true);
  });
});
