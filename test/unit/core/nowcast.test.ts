import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pm25Aqi } from "../../../lambdas/core/aqi.js";
import { nowcastPm25 } from "../../../lambdas/core/nowcast.js";

/** The EPA procedure written out literally, to check the implementation against. */
function byTheSteps(means: readonly (number | null)[]): number {
  const present = means.slice(0, 12).flatMap((c, i) => (c === null ? [] : [{ c, i }]));
  const max = Math.max(...present.map((h) => h.c));
  const min = Math.min(...present.map((h) => h.c));
  const w = Math.max(0.5, 1 - (max - min) / max);
  const num = present.reduce((t, h) => t + w ** h.i * h.c, 0);
  const den = present.reduce((t, h) => t + w ** h.i, 0);
  return Math.floor((num / den) * 10 + 1e-9) / 10;
}

describe("nowcastPm25 (US EPA PM NowCast)", () => {
  it("gives the 12-hour mean of a steady series (weight factor 1)", () => {
    expect(nowcastPm25(Array(12).fill(20))).toEqual({ concentration: 20, weightFactor: 1, hours: 12 });
  });

  it("gives a single-hour pulse of 71 ug/m3 after 11 clean hours a NowCast of 35.5, AQI 101", () => {
    // The pulse that illustrates the NowCast's weighting: w floors at 0.5, so the latest hour weighs
    // 1 / (1 + 0.5 + ... + 0.5^11) = 0.5001 of the whole: 71 x 0.5001 = 35.517, truncated to 35.5.
    const nowcast = nowcastPm25([71, ...Array(11).fill(0)]);
    expect(nowcast).toEqual({ concentration: 35.5, weightFactor: 0.5, hours: 12 });
    expect(pm25Aqi(nowcast?.concentration ?? 0)).toEqual({ aqi: 101, category: "Unhealthy for Sensitive Groups" });
  });

  it("follows a sudden rise faster than a 12-hour mean", () => {
    const series = [80, 75, 60, 10, 10, 10, 10, 10, 10, 10, 10, 10];
    const nowcast = nowcastPm25(series);
    const mean12 = series.reduce((a, b) => a + b, 0) / 12;
    expect(nowcast?.weightFactor).toBe(0.5);
    expect(nowcast?.concentration).toBeGreaterThan(mean12);
    expect(nowcast?.concentration).toBe(byTheSteps(series));
  });

  it("weighs by 1 - (max - min) / max when the spread is small", () => {
    // max 30, min 24: w = 0.8.
    const series = [30, 28, 26, 24, 24, 24, 24, 24, 24, 24, 24, 24];
    expect(nowcastPm25(series)?.weightFactor).toBeCloseTo(0.8, 12);
    expect(nowcastPm25(series)?.concentration).toBe(byTheSteps(series));
  });

  it("skips missing hours, keeping each present hour's age", () => {
    const series = [40, null, 30, null, null, 20, 20, 20, 20, 20, 20, 20];
    expect(nowcastPm25(series)).toMatchObject({ hours: 9, concentration: byTheSteps(series) });
  });

  it.each([
    ["the latest two hours missing", [null, null, 12, 12]],
    ["the latest and the third missing", [null, 12, null, 12]],
    ["no hour at all", []],
  ])("is not valid with fewer than 2 of the 3 most recent hours (%s)", (_, series) => {
    expect(nowcastPm25(series as (number | null)[])).toBeNull();
  });

  it("is valid with 2 of the 3 most recent hours and nothing older", () => {
    expect(nowcastPm25([10, null, 20])).toMatchObject({ hours: 2, weightFactor: 0.5 });
  });

  it("uses only the 12 most recent hours", () => {
    expect(nowcastPm25([...Array(12).fill(10), 500])).toEqual({ concentration: 10, weightFactor: 1, hours: 12 });
  });

  it("is a flat zero for a flat zero", () => {
    expect(nowcastPm25(Array(12).fill(0))).toEqual({ concentration: 0, weightFactor: 1, hours: 12 });
  });

  it("always lies between the window's minimum and maximum, truncated to 0.1", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: 0, max: 900, noNaN: true }), { nil: null }), {
          minLength: 12,
          maxLength: 12,
        }),
        (series) => {
          const nowcast = nowcastPm25(series);
          const present = series.filter((c): c is number => c !== null);
          if (nowcast === null) {
            expect(series.slice(0, 3).filter((c) => c !== null).length).toBeLessThan(2);
            return;
          }
          expect(nowcast.concentration).toBeLessThanOrEqual(Math.max(...present));
          expect(nowcast.concentration).toBeGreaterThanOrEqual(Math.floor(Math.min(...present) * 10) / 10 - 0.1);
          expect(Math.round(nowcast.concentration * 10)).toBeCloseTo(nowcast.concentration * 10, 9);
        },
      ),
    );
  });
});
