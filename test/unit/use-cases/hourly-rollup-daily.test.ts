/**
 * The hourly roll-up that completes a local day judges the day: the WHO daily rule on each
 * sensor's valid 24-hour mean, from the hours rolled up before and the one just binned.
 */
import { describe, expect, it } from "vitest";
import type { DailySummary, HourlyAggregate, SensorHourBin } from "../../../lambdas/core/aggregates.js";
import type { AlertNotice } from "../../../lambdas/core/alerts.js";
import { EMPTY_MEASURES, hourlyAggregates } from "../../../lambdas/core/rollup.js";
import { registryOf } from "../../../lambdas/core/sensor.js";
import { HOUR_MS } from "../../../lambdas/core/time.js";
import { noMetrics } from "../../../lambdas/ports.js";
import { makeHourlyRollup } from "../../../lambdas/use-cases/hourly-rollup.js";
import { SENSORS } from "../../../lib/config/sensors.js";
import { PM25_DAILY_WHO } from "../../fixtures/alerts.js";
import { silentLogger } from "../../fixtures/fakes.js";

const [SENSOR] = SENSORS;
if (SENSOR === undefined) throw new Error("empty registry");
const REGISTRY = registryOf([SENSOR]);
const DAY = Date.parse("2026-11-28T00:00:00Z");
const LAST_HOUR = DAY + 23 * HOUR_MS;

const bin = (hourStart: number, pm25: number): SensorHourBin => ({
  sensorId: SENSOR.sensorId,
  hourStart,
  readings: 60,
  measures: {
    ...EMPTY_MEASURES,
    pm25: { count: 60, sum: 60 * pm25, min: pm25, max: pm25 },
    pm25_corrected: { count: 60, sum: 60 * pm25, min: pm25, max: pm25 },
  },
  flags: {},
});

/** The hours of the day before its last, as an earlier run wrote them: `hours` of them at `pm25`. */
function earlierRows(hours: number, pm25: number): HourlyAggregate[] {
  const first = LAST_HOUR - hours * HOUR_MS;
  return hourlyAggregates(
    REGISTRY,
    Array.from({ length: hours }, (_, i) => bin(first + i * HOUR_MS, pm25)),
    { from: first, to: LAST_HOUR },
  );
}

async function runLastHour(before: HourlyAggregate[], published: DailySummary[] = []): Promise<AlertNotice[]> {
  const notices: AlertNotice[] = [];
  const rollup = makeHourlyRollup({
    registry: REGISTRY,
    bins: { bins: async () => [bin(LAST_HOUR, 20)] },
    writer: { writeHourly: async () => undefined },
    hourly: {
      hourly: async (range) => before.filter((row) => row.hourStart >= range.from && row.hourStart < range.to),
    },
    publisher: {
      publishHourly: async () => undefined,
      publishZones: async () => undefined,
      publishDaily: async (summary) => void published.push(summary),
    },
    alerting: {
      rules: [PM25_DAILY_WHO],
      states: { load: async () => ({ states: {}, version: null }), save: async () => undefined },
      sink: { publish: async (notice) => void notices.push(notice) },
    },
    clock: { now: () => LAST_HOUR + HOUR_MS + 5 * 60_000 },
    timeZone: "Africa/Dakar",
    logger: silentLogger(),
    metrics: noMetrics,
  });
  await rollup({ hour: new Date(LAST_HOUR).toISOString() });
  return notices;
}

describe("the hourly roll-up at the end of a local day", () => {
  it("sends the WHO daily notice for a sensor whose valid 24-hour mean is above 15", async () => {
    const notices = await runLastHour(earlierRows(23, 20));
    expect(notices).toEqual([
      expect.objectContaining({
        sensorId: SENSOR.sensorId,
        ruleId: "pm25_daily_who_guideline",
        metric: "pm25_daily_mean",
        state: "opened",
        value: 20,
        at: "2026-11-28T00:00:00.000Z",
        averaging: "24-hour mean, local day",
      }),
    ]);
  });

  it("publishes the day's figures per sensor and zone on kaikai/aggregates/daily", async () => {
    const published: DailySummary[] = [];
    await runLastHour(earlierRows(23, 20), published);
    // 24 hours at 20 ug/m3: valid, AQI 71 (Moderate), within WHO interim target 4 (25).
    const day = { hours: 24, valid: true, pm25Mean: 20, aqi: 71, aqiCategory: "Moderate", whoLevel: "IT-4" };
    expect(published).toEqual([
      {
        day: "2026-11-28",
        timeZone: "Africa/Dakar",
        version: LAST_HOUR + HOUR_MS + 5 * 60_000,
        sensors: [{ sensorId: SENSOR.sensorId, zone: SENSOR.zone, ...day }],
        zones: [{ zone: SENSOR.zone, ...day }],
        averaging: "24-hour mean, local day",
      },
    ]);
  });

  it("judges no day with fewer than 18 hours", async () => {
    expect(await runLastHour(earlierRows(16, 20))).toEqual([]);
  });

  it("sends nothing for a day at or below the guideline", async () => {
    const before = earlierRows(23, 10);
    expect(await runLastHour(before)).toEqual([]);
  });
});
