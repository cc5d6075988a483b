/**
 * Readings come with one decimal; the figures built from them must classify as exact decimal
 * arithmetic does, band edges included (a mean of exactly 12.0, 35.0 or 55.0).
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AqiCategory, Evaluation } from "../../../lambdas/core/aggregates.js";
import { evaluatePm25, pm25Aqi } from "../../../lambdas/core/aqi.js";
import { dailyMeans, evaluateDaily } from "../../../lambdas/core/daily.js";
import type { Reading } from "../../../lambdas/core/reading.js";
import { binReadings, hourlyAggregates, meanOf, zoneAggregates } from "../../../lambdas/core/rollup.js";
import { registryOf } from "../../../lambdas/core/sensor.js";
import { HOUR_MS } from "../../../lambdas/core/time.js";
import { SENSORS } from "../../../lib/config/sensors.js";
import { referenceGrade } from "../../fixtures/telemetry.js";

/** Exact references, in integer tenths of ug/m3: value = num / den tenths. */
function exactEvaluation(num: bigint, den: bigint): Evaluation {
  if (num <= 120n * den) return "EXCELLENT";
  if (num <= 350n * den) return "MODERATE";
  if (num <= 550n * den) return "POOR";
  return "CRITICAL";
}
function exactCategory(num: bigint, den: bigint): AqiCategory {
  const truncated = num / den;
  if (truncated <= 90n) return "Good";
  if (truncated <= 354n) return "Moderate";
  if (truncated <= 554n) return "Unhealthy for Sensitive Groups";
  if (truncated <= 1254n) return "Unhealthy";
  if (truncated <= 2254n) return "Very Unhealthy";
  return "Hazardous";
}

const EDGES = [90, 91, 120, 350, 354, 355, 550, 554, 555, 1254, 2255] as const;

/** Readings in tenths whose mean is exactly `target` tenths, when the last one fits in range. */
const tenthsWithMean = (count: number, target: number) =>
  fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: count - 1, maxLength: count - 1 }).map((head) => {
    const last = target * count - head.reduce((a, b) => a + b, 0);
    return last >= 0 && last <= 10_000 ? [...head, last] : null;
  });

describe("band edges with one-decimal readings", () => {
  it("classifies 16.8, 16.6 and 2.6 (a mean of exactly 12.0) as the seed's EXCELLENT", () => {
    const sum = 16.8 + 16.6 + 2.6;
    expect(sum).not.toBe(36);
    const mean = meanOf({ count: 3, sum, min: 2.6, max: 16.8 });
    expect(mean).toBe(12);
    expect(evaluatePm25(mean as number)).toBe("EXCELLENT");
  });

  it("does not count a mean of exactly 35.0 as above 35", () => {
    const sum = [35.1, 34.7, 35.2].reduce((a, b) => a + b, 0);
    expect(meanOf({ count: 3, sum, min: 34.7, max: 35.2 })).toBe(35);
  });

  it("keeps the sum as it is when readings have more decimals", () => {
    expect(meanOf({ count: 2, sum: 0.123 + 0.456, min: 0.123, max: 0.456 })).toBeCloseTo(0.2895, 12);
  });

  it("the seed's evaluation, the AQI and the hourly alert's mean of one hour are those of exact decimals", () => {
    const samples = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 200 }),
      fc
        .tuple(fc.integer({ min: 1, max: 200 }), fc.constantFrom(...EDGES))
        .chain(([count, target]) => tenthsWithMean(count, target))
        .filter((tenths): tenths is number[] => tenths !== null),
    );
    fc.assert(
      fc.property(samples, (tenths) => {
        // As the stores add them: doubles, one reading after another.
        const sum = tenths.reduce((total, t) => total + t / 10, 0);
        const mean = meanOf({ count: tenths.length, sum, min: null, max: null }) as number;
        const num = BigInt(tenths.reduce((a, b) => a + b, 0));
        const den = BigInt(tenths.length);
        expect(evaluatePm25(mean)).toBe(exactEvaluation(num, den));
        expect(pm25Aqi(mean).category).toBe(exactCategory(num, den));
        expect(mean > 35).toBe(num > 350n * den);
      }),
    );
  });

  it("zone figures from several sensors' hours classify as exact decimals", () => {
    const [first] = SENSORS;
    if (first === undefined) throw new Error("empty registry");
    const ids = ["Z1", "Z2", "Z3"];
    const registry = registryOf(ids.map((sensorId) => ({ ...first, sensorId, zone: "Urban" as const })));
    const hour = Date.parse("2026-11-28T08:00:00Z");
    const reading = (sensorId: string, index: number, tenths: number): Reading => ({
      ...{ temperature: 25, humidity: 70, co2: 420 },
      sensorId,
      timestamp: hour + index * 1000,
      pm25: tenths / 10,
    });
    const spread = fc
      .tuple(fc.integer({ min: 2, max: 90 }), fc.constantFrom(...EDGES))
      .chain(([count, target]) => tenthsWithMean(count, target))
      .filter((tenths): tenths is number[] => tenths !== null);
    fc.assert(
      fc.property(spread, (tenths) => {
        const readings = tenths.map((t, index) => reading(ids[index % ids.length] as string, index, t));
        const rows = hourlyAggregates(registry, binReadings(readings.map(referenceGrade)), {
          from: hour,
          to: hour + HOUR_MS,
        });
        const [zone] = zoneAggregates(rows);
        const num = BigInt(tenths.reduce((a, b) => a + b, 0));
        const den = BigInt(tenths.length);
        expect(zone?.evaluation).toBe(exactEvaluation(num, den));
        expect(pm25Aqi(zone?.means.pm25 ?? -1).category).toBe(exactCategory(num, den));
      }),
    );
  });

  it("daily means (the mean of hourly means) classify as exact decimals", () => {
    const day = Date.parse("2026-11-28T00:00:00Z");
    // Hours whose means straddle an edge and cancel out: the day's mean is exactly the edge.
    const hours = fc
      .tuple(
        fc.constantFrom(...EDGES),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 60 })), {
          minLength: 9,
          maxLength: 12,
        }),
        fc.integer({ min: -1, max: 1 }),
      )
      .map(([target, pairs, nudge]) =>
        pairs.flatMap(([count, offset], index) => [
          { count, meanTenths: target + offset + (index === 0 ? nudge : 0) },
          { count: count + 1, meanTenths: Math.max(0, target - offset) },
        ]),
      );
    fc.assert(
      fc.property(hours, (spec) => {
        const hourly = spec.map(({ count, meanTenths }, index) => ({
          hourStart: day + index * HOUR_MS,
          count,
          // A sum of doubles, as stored, of readings whose mean is meanTenths / 10.
          sum: Array.from({ length: count }, () => meanTenths / 10).reduce((a, b) => a + b, 0),
        }));
        const [daily] = dailyMeans(hourly, "Africa/Dakar");
        // Exact: sum over hours of meanTenths, over the number of hours.
        const num = BigInt(spec.reduce((total, hour) => total + hour.meanTenths, 0));
        const den = BigInt(spec.length);
        expect(daily?.valid).toBe(spec.length >= 18);
        expect(daily === undefined ? null : evaluateDaily(daily)).toBe(exactEvaluation(num, den));
        if (daily?.aqi) expect(daily.aqi.category).toBe(exactCategory(num, den));
      }),
    );
  });
});
