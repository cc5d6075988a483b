import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AQI_CATEGORIES } from "../../../lambdas/core/aggregates.js";
import { AQI_CATEGORY_FLOOR, AQI_CATEGORY_INFO, evaluatePm25, pm25Aqi } from "../../../lambdas/core/aqi.js";

describe("evaluatePm25 (the seed's query 4)", () => {
  it.each([
    [0, "EXCELLENT"],
    [12, "EXCELLENT"],
    [12.01, "MODERATE"],
    [35, "MODERATE"],
    [35.01, "POOR"],
    [55, "POOR"],
    [55.01, "CRITICAL"],
    [900, "CRITICAL"],
  ] as const)("%d ug/m3 is %s", (mean, evaluation) => {
    expect(evaluatePm25(mean)).toBe(evaluation);
  });
});

describe("pm25Aqi (US EPA, 2024 breakpoints)", () => {
  it.each([
    [0, 0, "Good"],
    [9.0, 50, "Good"],
    [9.1, 51, "Moderate"],
    [35.4, 100, "Moderate"],
    [35.5, 101, "Unhealthy for Sensitive Groups"],
    [55.4, 150, "Unhealthy for Sensitive Groups"],
    [55.5, 151, "Unhealthy"],
    [125.4, 200, "Unhealthy"],
    [125.5, 201, "Very Unhealthy"],
    [225.4, 300, "Very Unhealthy"],
    [225.5, 301, "Hazardous"],
    [325.4, 500, "Hazardous"],
  ] as const)("%d ug/m3 gives AQI %d (%s) at a band edge", (concentration, aqi, category) => {
    expect(pm25Aqi(concentration)).toEqual({ aqi, category });
  });

  it("carries the Hazardous line on beyond 325.4 ug/m3, as AirNow reports values above 500", () => {
    // (500 - 301) / (325.4 - 225.5) per ug/m3 past 225.5: 325.5 is 500.2, 425.4 is 699.2, 1000 is 1843.8.
    expect(pm25Aqi(325.5)).toEqual({ aqi: 500, category: "Hazardous" });
    expect(pm25Aqi(425.4)).toEqual({ aqi: 699, category: "Hazardous" });
    expect(pm25Aqi(1000)).toEqual({ aqi: 1844, category: "Hazardous" });
  });

  it("truncates the concentration to 0.1 before looking it up, as EPA prescribes", () => {
    expect(pm25Aqi(9.09)).toEqual({ aqi: 50, category: "Good" });
    expect(pm25Aqi(35.49)).toEqual({ aqi: 100, category: "Moderate" });
    expect(pm25Aqi(55.45)).toEqual({ aqi: 150, category: "Unhealthy for Sensitive Groups" });
  });

  it("interpolates inside a band (23.4 ug/m3 is AQI 78)", () => {
    // (100 - 51) / (35.4 - 9.1) * (23.4 - 9.1) + 51 = 77.6
    expect(pm25Aqi(23.4)).toEqual({ aqi: 78, category: "Moderate" });
  });

  it("never decreases as the concentration rises and is never negative", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1000, noNaN: true }),
        fc.double({ min: 0, max: 1000, noNaN: true }),
        (a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(pm25Aqi(low).aqi).toBeLessThanOrEqual(pm25Aqi(high).aqi);
          expect(pm25Aqi(low).aqi).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe("category facts (TAD Table 2 colours, AirNow's health messages)", () => {
  it("gives every category its EPA colour and a message in both languages", () => {
    expect(AQI_CATEGORY_INFO.Good.colour).toBe("#00E400");
    expect(AQI_CATEGORY_INFO["Unhealthy for Sensitive Groups"].colour).toBe("#FF7E00");
    expect(AQI_CATEGORY_INFO.Hazardous.colour).toBe("#7E0023");
    for (const category of AQI_CATEGORIES) {
      expect(AQI_CATEGORY_INFO[category].message.en.length).toBeGreaterThan(20);
      expect(AQI_CATEGORY_INFO[category].message.fr).not.toBe(AQI_CATEGORY_INFO[category].message.en);
    }
  });

  it.each([
    [0, "Good"],
    [9.1, "Moderate"],
    [35.5, "Unhealthy for Sensitive Groups"],
    [55.5, "Unhealthy"],
    [125.5, "Very Unhealthy"],
    [225.5, "Hazardous"],
  ] as const)("floors a category at the AQI of its lowest concentration (%d ug/m3: %s)", (concentration, category) => {
    expect(pm25Aqi(concentration)).toEqual({ aqi: AQI_CATEGORY_FLOOR[category], category });
  });
});
