import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CORRECTION_IDS, correctionForModel, correctionLabel, correctPm25 } from "../../../lambdas/core/correction.js";

/** The papers' equations, written out again: 2021 (AMT 14, 4617) and the 2022 extension (Sensors 22, 9669). */
const epa2021 = (raw: number, rh: number) => 0.524 * raw - 0.0862 * rh + 5.75;
const quadratic = (raw: number) => 0.46 * raw + 3.93e-4 * raw ** 2 + 2.97;
const round2 = (value: number) => Math.round(value * 100) / 100;

describe("the US EPA corrections of Plantower PM2.5", () => {
  it("follows the 2021 equation at RH 0 and 100, on both sides of 300 ug/m3 corrected", () => {
    for (const raw of [0, 10, 35.5, 300, 560]) {
      for (const rh of [0, 100]) {
        expect(correctPm25("epa_barkjohn_2021", raw, rh)).toBe(Math.max(0, round2(epa2021(raw, rh))));
      }
    }
    expect(correctPm25("epa_barkjohn_2021", 100, 50)).toBe(53.84);
  });

  it("extends it above 300 ug/m3 corrected: the 2021 equation, a blend, then the quadratic above about 400", () => {
    // Below 570 raw (300 corrected at 50 % RH) it is the 2021 equation, RH and all.
    expect(correctPm25("epa_barkjohn_2022", 500, 0)).toBe(round2(epa2021(500, 0)));
    expect(correctPm25("epa_barkjohn_2022", 500, 100)).toBe(round2(epa2021(500, 100)));
    expect(correctPm25("epa_barkjohn_2022", 569, 50)).toBeCloseTo(299.6, 1);
    // 570 to 611: weight 0.0244 x raw - 13.9 on the quadratic.
    const weight = 0.0244 * 590 - 13.9;
    expect(correctPm25("epa_barkjohn_2022", 590, 50)).toBe(
      round2(weight * quadratic(590) + (1 - weight) * epa2021(590, 50)),
    );
    // 611 and above: the quadratic, above 400 corrected and no longer humid-dependent.
    expect(correctPm25("epa_barkjohn_2022", 611, 0)).toBe(round2(quadratic(611)));
    expect(correctPm25("epa_barkjohn_2022", 611, 100)).toBe(round2(quadratic(611)));
    expect(correctPm25("epa_barkjohn_2022", 611, 50)).toBeGreaterThan(400);
    expect(correctPm25("epa_barkjohn_2022", 1000, 80)).toBe(round2(quadratic(1000)));
  });

  it("never goes below 0, and rises with the raw value at any humidity", () => {
    expect(correctPm25("epa_barkjohn_2021", 0, 100)).toBe(0);
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 999, noNaN: true }),
        fc.double({ min: 0.5, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (raw, more, rh) => {
          const lower = correctPm25("epa_barkjohn_2022", raw, rh) ?? Number.NaN;
          const higher = correctPm25("epa_barkjohn_2022", raw + more, rh) ?? Number.NaN;
          expect(lower).toBeGreaterThanOrEqual(0);
          expect(higher).toBeGreaterThanOrEqual(lower);
        },
      ),
    );
  });

  it("corrects nothing without a humidity, and leaves a reference instrument's value as it is", () => {
    expect(correctPm25("epa_barkjohn_2022", 40, null)).toBeNull();
    expect(correctPm25("epa_barkjohn_2021", 40, undefined)).toBeNull();
    expect(correctPm25("none", 40, null)).toBe(40);
  });

  it("is chosen by the instrument model, and labelled with its identifier and version", () => {
    expect(correctionForModel("PMS5003")).toBe("epa_barkjohn_2022");
    expect(correctionForModel("pmsa003i")).toBe("epa_barkjohn_2022");
    expect(correctionForModel("BAM-1020")).toBe("none");
    expect(CORRECTION_IDS.map(correctionLabel)).toEqual(["none@1", "epa_barkjohn_2021@1", "epa_barkjohn_2022@1"]);
  });
});
