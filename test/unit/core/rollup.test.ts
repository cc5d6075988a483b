import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MEASURES, measureValue } from "../../../lambdas/core/measures.js";
import type { Reading } from "../../../lambdas/core/reading.js";
import {
  binReadings as binMeasured,
  hourlyAggregates,
  rankZones,
  zoneAggregates,
} from "../../../lambdas/core/rollup.js";
import { registryOf, type Sensor, ZONES, type Zone } from "../../../lambdas/core/sensor.js";
import { HOUR_MS } from "../../../lambdas/core/time.js";
import { SENSORS } from "../../../lib/config/sensors.js";
import { referenceGrade } from "../../fixtures/telemetry.js";

/** Readings of reference-grade sensors without flags: their official PM2.5 is the raw one. */
const bin = (readings: readonly Reading[]) => binMeasured(readings.map(referenceGrade));

const T0 = Date.parse("2026-11-28T08:00:00Z");
const RANGE = { from: T0, to: T0 + 3 * HOUR_MS };

/** A registry sensor, renamed and moved to a zone, with its own reporting interval. */
const sensor = (sensorId: string, zone: Zone, reportingIntervalSeconds: number): Sensor => {
  const [first] = SENSORS;
  if (first === undefined) throw new Error("empty registry");
  return { ...first, sensorId, locationName: `Dakar - ${sensorId}`, zone, reportingIntervalSeconds };
};

const REGISTRY = registryOf([
  sensor("A1", "Urban", 60),
  sensor("A2", "Urban", 300),
  sensor("B1", "Residential", 60),
  sensor("B2", "Residential", 120),
  sensor("C1", "Commercial", 60),
]);
const SENSOR_IDS = [...REGISTRY.keys()];

const readingArb: fc.Arbitrary<Reading> = fc.record({
  sensorId: fc.constantFrom(...SENSOR_IDS),
  timestamp: fc.integer({ min: RANGE.from, max: RANGE.to - 1 }),
  pm25: fc.double({ min: 0, max: 1000, noNaN: true }),
  temperature: fc.double({ min: -40, max: 85, noNaN: true }),
  humidity: fc.double({ min: 0, max: 100, noNaN: true }),
  co2: fc.integer({ min: 250, max: 10_000 }),
});

/** The plain way: filter the raw readings, then count, add, compare. */
function reference(readings: readonly Reading[], keep: (reading: Reading) => boolean) {
  const kept = readings.filter(keep);
  return Object.fromEntries(
    MEASURES.map((measure) => {
      const values = kept.map((reading) => measureValue(referenceGrade(reading), measure) ?? Number.NaN);
      return [
        measure,
        {
          count: values.length,
          sum: values.reduce((a, b) => a + b, 0),
          min: values.length === 0 ? null : Math.min(...values),
          max: values.length === 0 ? null : Math.max(...values),
          mean: values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length,
        },
      ];
    }),
  );
}

const hourOf = (timestamp: number): number => Math.floor(timestamp / HOUR_MS) * HOUR_MS;
const closeTo = (actual: number | null, expected: number | null): void => {
  if (expected === null) expect(actual).toBeNull();
  else expect(actual).toBeCloseTo(expected, 6);
};

describe("hourlyAggregates", () => {
  it("gives every registry sensor and hour the count, sum, min, max and completeness of its readings", () => {
    fc.assert(
      fc.property(fc.array(readingArb, { maxLength: 300 }), (readings) => {
        const rows = hourlyAggregates(REGISTRY, bin(readings), RANGE);
        expect(rows).toHaveLength(REGISTRY.size * 3);
        for (const row of rows) {
          const expected = reference(
            readings,
            (r) => r.sensorId === row.sensorId && hourOf(r.timestamp) === row.hourStart,
          );
          const interval = REGISTRY.get(row.sensorId)?.reportingIntervalSeconds ?? Number.NaN;
          expect(row.readings).toBe(expected.pm25?.count);
          expect(row.expectedReadings).toBe(3600 / interval);
          expect(row.completeness).toBeCloseTo(Math.min(1, row.readings / (3600 / interval)), 12);
          for (const measure of MEASURES) {
            expect(row.measures[measure].count).toBe(expected[measure]?.count);
            closeTo(row.measures[measure].sum, expected[measure]?.sum ?? null);
            expect(row.measures[measure].min).toBe(expected[measure]?.min);
            expect(row.measures[measure].max).toBe(expected[measure]?.max);
          }
        }
      }),
    );
  });

  it("keeps a silent sensor as a row with 0 readings and completeness 0", () => {
    const rows = hourlyAggregates(REGISTRY, [], { from: T0, to: T0 + HOUR_MS });
    expect(rows.map((row) => [row.sensorId, row.readings, row.completeness])).toEqual(
      SENSOR_IDS.sort().map((id) => [id, 0, 0]),
    );
    expect(rows[0]?.measures.pm25).toEqual({ count: 0, sum: 0, min: null, max: null });
  });

  it("caps completeness at 1 when a sensor sends more than its interval promises", () => {
    const readings = Array.from({ length: 20 }, (_, i) => ({
      sensorId: "A2",
      timestamp: T0 + i * 1000,
      pm25: 10,
      temperature: 28,
      humidity: 70,
      co2: 500,
    }));
    const row = hourlyAggregates(REGISTRY, bin(readings), { from: T0, to: T0 + HOUR_MS }).find(
      (r) => r.sensorId === "A2",
    );
    expect(row?.readings).toBe(20);
    expect(row?.completeness).toBe(1);
  });

  it("ignores bins of sensors outside the registry", () => {
    const bins = bin([{ sensorId: "GHOST", timestamp: T0, pm25: 1, temperature: 1, humidity: 1, co2: 300 }]);
    expect(hourlyAggregates(REGISTRY, bins, { from: T0, to: T0 + HOUR_MS }).map((r) => r.sensorId)).not.toContain(
      "GHOST",
    );
  });
});

describe("zoneAggregates", () => {
  it("weighs sensors by their readings: the zone mean is the mean of all its readings", () => {
    fc.assert(
      fc.property(fc.array(readingArb, { maxLength: 300 }), (readings) => {
        const zones = zoneAggregates(hourlyAggregates(REGISTRY, bin(readings), RANGE));
        expect(zones).toHaveLength(ZONES.length * 3);
        for (const zone of zones) {
          const inZone = (r: Reading) =>
            REGISTRY.get(r.sensorId)?.zone === zone.zone && hourOf(r.timestamp) === zone.hourStart;
          const expected = reference(readings, inZone);
          const zoneSensors = [...REGISTRY.values()].filter((s) => s.zone === zone.zone);
          expect(zone.sensors).toBe(zoneSensors.length);
          expect(zone.readings).toBe(expected.pm25?.count);
          expect(zone.activeSensors).toBe(new Set(readings.filter(inZone).map((r) => r.sensorId)).size);
          const expectedReadings = zoneSensors.reduce((total, s) => total + 3600 / s.reportingIntervalSeconds, 0);
          expect(zone.completeness).toBeCloseTo(Math.min(1, zone.readings / expectedReadings), 12);
          for (const measure of MEASURES) {
            closeTo(zone.means[measure], expected[measure]?.mean ?? null);
            expect(zone.measures[measure].min).toBe(expected[measure]?.min);
            expect(zone.measures[measure].max).toBe(expected[measure]?.max);
          }
        }
      }),
    );
  });

  it("is not an average of averages", () => {
    const reading = (sensorId: string, minute: number, pm25: number): Reading => ({
      sensorId,
      timestamp: T0 + minute * 60_000,
      pm25,
      temperature: 30,
      humidity: 60,
      co2: 500,
    });
    // A1 says 100 once, A2 says 10 fifty-nine times: 59 of the 60 readings are 10.
    const readings = [reading("A1", 0, 100), ...Array.from({ length: 59 }, (_, i) => reading("A2", i, 10))];
    const [urban] = zoneAggregates(hourlyAggregates(REGISTRY, bin(readings), { from: T0, to: T0 + HOUR_MS })).filter(
      (z) => z.zone === "Urban",
    );
    expect(urban?.means.pm25).toBeCloseTo(11.5, 10);
    expect(urban?.evaluation).toBe("EXCELLENT");
    // One hour is no NowCast (it needs 2 of the 3 latest hours): no AQI rather than a wrong one.
    expect(urban).toMatchObject({ nowcastPm25: null, aqi: null, aqiCategory: null });
  });

  it("gives each zone the NowCast of its hourly means and its AQI, with the hours before the range", () => {
    const reading = (sensorId: string, hour: number, pm25: number): Reading => ({
      sensorId,
      timestamp: T0 + hour * HOUR_MS,
      pm25,
      temperature: 30,
      humidity: 60,
      co2: 500,
    });
    // Urban: 10 for ten hours, then a rise to 80 and 90. The NowCast follows the rise (w = 0.5).
    const series = [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 80, 90];
    const readings = series.flatMap((pm25, hour) => [reading("A1", hour, pm25), reading("A2", hour, pm25)]);
    const range = { from: T0, to: T0 + 12 * HOUR_MS };
    const rows = hourlyAggregates(REGISTRY, bin(readings), range);
    const urban = zoneAggregates(rows).filter((z) => z.zone === "Urban");
    const last = urban.at(-1);
    // (90 + 0.5 x 80 + 10 x (0.5^2 + ... + 0.5^11)) / (1 + 0.5 + ... + 0.5^11) = 67.51, truncated 67.5
    expect(last).toMatchObject({ nowcastPm25: 67.5, aqi: 159, aqiCategory: "Unhealthy" });
    expect(urban[0]).toMatchObject({ nowcastPm25: null, aqi: null });
    // Each sensor's own NowCast is the same series' here.
    expect(rows.filter((row) => row.sensorId === "A1").at(-1)?.nowcastPm25).toBe(67.5);
  });

  it("takes the NowCast's earlier hours from rows rolled up before", () => {
    const reading = (hour: number, pm25: number): Reading => ({
      sensorId: "C1",
      timestamp: T0 + hour * HOUR_MS,
      pm25,
      temperature: 30,
      humidity: 60,
      co2: 500,
    });
    const earlier = hourlyAggregates(REGISTRY, bin([reading(0, 20), reading(1, 20)]), {
      from: T0,
      to: T0 + 2 * HOUR_MS,
    });
    const [latest] = hourlyAggregates(
      REGISTRY,
      bin([reading(2, 20)]),
      { from: T0 + 2 * HOUR_MS, to: T0 + 3 * HOUR_MS },
      earlier,
    ).filter((row) => row.sensorId === "C1");
    expect(latest?.nowcastPm25).toBe(20);
  });

  it("ranks zones cleanest first and leaves a zone without readings unranked", () => {
    const reading = (sensorId: string, pm25: number): Reading => ({
      sensorId,
      timestamp: T0,
      pm25,
      temperature: 30,
      humidity: 60,
      co2: 500,
    });
    const zones = zoneAggregates(
      hourlyAggregates(REGISTRY, bin([reading("A1", 40), reading("B1", 8)]), { from: T0, to: T0 + HOUR_MS }),
    );
    expect(zones.map((z) => [z.zone, z.rank, z.evaluation])).toEqual([
      ["Residential", 1, "EXCELLENT"],
      ["Urban", 2, "POOR"],
      ["Commercial", null, null],
    ]);
  });
});

describe("rankZones", () => {
  const zone = (name: Zone, pm25Mean: number | null) => ({ zone: name, pm25Mean });

  it("gives zones whose means round to the same 0.01 the same rank and skips the next", () => {
    const ranked = rankZones(
      [zone("Urban", 20.001), zone("Commercial", 30), zone("Residential", 19.998)],
      (z) => z.pm25Mean,
    );
    expect(ranked.map((z) => [z.zone, z.rank])).toEqual([
      ["Residential", 1],
      ["Urban", 1],
      ["Commercial", 3],
    ]);
  });

  it("orders ties by zone name whatever the input order", () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...ZONES], { minLength: 1 }),
        fc.array(fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }), { minLength: 3, maxLength: 3 }),
        (names, means) => {
          const input = names.map((name, i) => zone(name, means[i] ?? null));
          const ranked = rankZones(input, (z) => z.pm25Mean);
          const again = rankZones([...input].reverse(), (z) => z.pm25Mean);
          expect(again).toEqual(ranked);
          for (const z of ranked) {
            const better = input.filter((o) => o.pm25Mean !== null && z.pm25Mean !== null && o.pm25Mean < z.pm25Mean);
            expect(z.rank).toBe(z.pm25Mean === null ? null : better.length + 1);
          }
        },
      ),
    );
  });
});
