import type { AqiCategory, Evaluation } from "./aggregates.js";

/** The seed's query 4: EXCELLENT <= 12, MODERATE <= 35, POOR <= 55, CRITICAL above (ug/m3). */
export function evaluatePm25(mean: number): Evaluation {
  if (mean <= 12) return "EXCELLENT";
  if (mean <= 35) return "MODERATE";
  if (mean <= 55) return "POOR";
  return "CRITICAL";
}

interface Breakpoint {
  readonly concentrationLow: number;
  readonly concentrationHigh: number;
  readonly indexLow: number;
  readonly indexHigh: number;
  readonly category: AqiCategory;
}

/**
 * US EPA PM2.5 breakpoints as revised on 2024-02-07 (annual standard lowered to 9.0 ug/m3); see
 * https://www.epa.gov/system/files/documents/2024-02/pm-naaqs-air-quality-index-fact-sheet.pdf.
 * The Hazardous band now ends at 325.4 ug/m3 = AQI 500; higher concentrations are "beyond the
 * index" and are reported as 500.
 */
const PM25_BREAKPOINTS: readonly Breakpoint[] = [
  { concentrationLow: 0.0, concentrationHigh: 9.0, indexLow: 0, indexHigh: 50, category: "Good" },
  { concentrationLow: 9.1, concentrationHigh: 35.4, indexLow: 51, indexHigh: 100, category: "Moderate" },
  {
    concentrationLow: 35.5,
    concentrationHigh: 55.4,
    indexLow: 101,
    indexHigh: 150,
    category: "Unhealthy for Sensitive Groups",
  },
  { concentrationLow: 55.5, concentrationHigh: 125.4, indexLow: 151, indexHigh: 200, category: "Unhealthy" },
  { concentrationLow: 125.5, concentrationHigh: 225.4, indexLow: 201, indexHigh: 300, category: "Very Unhealthy" },
  { concentrationLow: 225.5, concentrationHigh: 325.4, indexLow: 301, indexHigh: 500, category: "Hazardous" },
];

export interface Aqi {
  readonly aqi: number;
  readonly category: AqiCategory;
}

/** EPA truncates the concentration to one decimal; the integer tenths avoid 35.4 becoming 35.39999. */
function truncateToTenths(concentration: number): number {
  return Math.floor(Math.round(concentration * 1e6) / 1e5) / 10;
}

/** The AQI of a PM2.5 concentration (ug/m3); negative input is treated as 0. */
export function pm25Aqi(concentration: number): Aqi {
  const c = truncateToTenths(Math.max(0, concentration));
  const band = PM25_BREAKPOINTS.find((b) => c <= b.concentrationHigh);
  if (band === undefined) return { aqi: 500, category: "Hazardous" };
  const aqi =
    ((band.indexHigh - band.indexLow) / (band.concentrationHigh - band.concentrationLow)) *
      (c - band.concentrationLow) +
    band.indexLow;
  return { aqi: Math.round(aqi), category: band.category };
}
