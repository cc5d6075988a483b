import type { AqiCategory, Evaluation } from "./aggregates.js";
import { compareExact, type ExactTenths, truncatedTenths } from "./decimal.js";

/** A PM2.5 concentration in ug/m3, or exactly in tenths when it is a mean of 0.1-resolution readings. */
export type Pm25Concentration = number | ExactTenths;

const isExact = (value: Pm25Concentration): value is ExactTenths => typeof value === "object";

/** Whether the concentration is at most `limit` ug/m3 (a limit of one decimal), exactly when it can be. */
function atMost(value: Pm25Concentration, limit: number): boolean {
  return isExact(value) ? compareExact(value, Math.round(limit * 10)) <= 0 : value <= limit;
}

/**
 * The seed's query 4 on its own scale (a 2015-era reading of the US 24-hour levels, not the 2024
 * AQI): EXCELLENT <= 12, MODERATE <= 35, POOR <= 55, CRITICAL above (ug/m3), on the mean the seed
 * defines it on. Reports label it as the seed's, beside the AQI category, never for it.
 */
export function evaluatePm25(mean: Pm25Concentration): Evaluation {
  if (atMost(mean, 12)) return "EXCELLENT";
  if (atMost(mean, 35)) return "MODERATE";
  if (atMost(mean, 55)) return "POOR";
  return "CRITICAL";
}

interface Breakpoint {
  /** Concentrations in whole tenths of ug/m3, as the table prints them to one decimal. */
  readonly lowTenths: number;
  readonly highTenths: number;
  readonly indexLow: number;
  readonly indexHigh: number;
  readonly category: AqiCategory;
}

/**
 * US EPA PM2.5 breakpoints (24-hour, ug/m3) of the Technical Assistance Document for the
 * Reporting of Daily Air Quality, EPA-454/B-24-002 (May 2024), Table 6, as revised on 2024-02-07
 * with the annual standard at 9.0 ug/m3
 * (https://www.epa.gov/system/files/documents/2024-02/pm-naaqs-air-quality-index-fact-sheet.pdf).
 */
const PM25_BREAKPOINTS: readonly Breakpoint[] = [
  { lowTenths: 0, highTenths: 90, indexLow: 0, indexHigh: 50, category: "Good" },
  { lowTenths: 91, highTenths: 354, indexLow: 51, indexHigh: 100, category: "Moderate" },
  { lowTenths: 355, highTenths: 554, indexLow: 101, indexHigh: 150, category: "Unhealthy for Sensitive Groups" },
  { lowTenths: 555, highTenths: 1254, indexLow: 151, indexHigh: 200, category: "Unhealthy" },
  { lowTenths: 1255, highTenths: 2254, indexLow: 201, indexHigh: 300, category: "Very Unhealthy" },
  { lowTenths: 2255, highTenths: 3254, indexLow: 301, indexHigh: 500, category: "Hazardous" },
];
const HAZARDOUS = PM25_BREAKPOINTS[PM25_BREAKPOINTS.length - 1] as Breakpoint;

export interface Aqi {
  readonly aqi: number;
  readonly category: AqiCategory;
}

/** EPA truncates the concentration to one decimal; the integer tenths avoid 35.4 becoming 35.39999. */
function truncateToTenths(concentration: number): number {
  return Math.floor(Math.round(Math.max(0, concentration) * 1e6) / 1e5);
}

/**
 * The AQI of a PM2.5 concentration (ug/m3, on the averaging period it is reported for: a 24-hour
 * mean, or the NowCast for the hour); negative input is treated as 0. The concentration is
 * truncated to 0.1 ug/m3, looked up in Table 6 and interpolated (TAD section IV, equation 1), and
 * the index rounded to the nearest whole number. Above 325.4 ug/m3 the TAD has the Hazardous
 * band's last two breakpoints carried on, so the index goes past 500 as AirNow reports it
 * ("beyond the AQI") instead of stopping there.
 */
export function pm25Aqi(concentration: Pm25Concentration): Aqi {
  const tenths = isExact(concentration) ? truncatedTenths(concentration) : truncateToTenths(concentration);
  const band = PM25_BREAKPOINTS.find((b) => tenths <= b.highTenths) ?? HAZARDOUS;
  const aqi =
    ((band.indexHigh - band.indexLow) / (band.highTenths - band.lowTenths)) * (tenths - band.lowTenths) + band.indexLow;
  return { aqi: Math.round(aqi), category: band.category };
}

/** The lowest AQI of each category (TAD Table 1), for rules that name a category. */
export const AQI_CATEGORY_FLOOR: Readonly<Record<AqiCategory, number>> = {
  Good: 0,
  Moderate: 51,
  "Unhealthy for Sensitive Groups": 101,
  Unhealthy: 151,
  "Very Unhealthy": 201,
  Hazardous: 301,
};

export const LANGUAGES = ["en", "fr"] as const;
export type Language = (typeof LANGUAGES)[number];

export interface AqiCategoryInfo {
  /** TAD Table 2, the standard AQI colour formulas, as #RRGGBB. */
  readonly colour: string;
  readonly colourName: Readonly<Record<Language, string>>;
  readonly name: Readonly<Record<Language, string>>;
  /**
   * What the category means for health, in the words of AirNow's AQI basics
   * (https://www.airnow.gov/aqi/aqi-basics/); the French is this project's translation.
   */
  readonly message: Readonly<Record<Language, string>>;
}

export const AQI_CATEGORY_INFO: Readonly<Record<AqiCategory, AqiCategoryInfo>> = {
  Good: {
    colour: "#00E400",
    colourName: { en: "green", fr: "vert" },
    name: { en: "Good", fr: "Bon" },
    message: {
      en: "Air quality is satisfactory, and air pollution poses little or no risk.",
      fr: "La qualité de l'air est satisfaisante ; la pollution présente peu ou pas de risque.",
    },
  },
  Moderate: {
    colour: "#FFFF00",
    colourName: { en: "yellow", fr: "jaune" },
    name: { en: "Moderate", fr: "Modéré" },
    message: {
      en: "Air quality is acceptable. However, there may be a risk for some people, particularly those who are unusually sensitive to air pollution.",
      fr: "La qualité de l'air est acceptable ; il peut toutefois y avoir un risque pour certaines personnes, surtout celles qui sont inhabituellement sensibles à la pollution.",
    },
  },
  "Unhealthy for Sensitive Groups": {
    colour: "#FF7E00",
    colourName: { en: "orange", fr: "orange" },
    name: { en: "Unhealthy for Sensitive Groups", fr: "Mauvais pour les groupes sensibles" },
    message: {
      en: "Members of sensitive groups may experience health effects. The general public is less likely to be affected.",
      fr: "Les personnes sensibles peuvent ressentir des effets sur leur santé ; le grand public est moins susceptible d'être touché.",
    },
  },
  Unhealthy: {
    colour: "#FF0000",
    colourName: { en: "red", fr: "rouge" },
    name: { en: "Unhealthy", fr: "Mauvais" },
    message: {
      en: "Some members of the general public may experience health effects; members of sensitive groups may experience more serious health effects.",
      fr: "Une partie du grand public peut ressentir des effets sur sa santé ; les personnes sensibles, des effets plus graves.",
    },
  },
  "Very Unhealthy": {
    colour: "#8F3F97",
    colourName: { en: "purple", fr: "violet" },
    name: { en: "Very Unhealthy", fr: "Très mauvais" },
    message: {
      en: "Health alert: The risk of health effects is increased for everyone.",
      fr: "Alerte sanitaire : le risque d'effets sur la santé augmente pour tout le monde.",
    },
  },
  Hazardous: {
    colour: "#7E0023",
    colourName: { en: "maroon", fr: "bordeaux" },
    name: { en: "Hazardous", fr: "Dangereux" },
    message: {
      en: "Health warning of emergency conditions: everyone is more likely to be affected.",
      fr: "Avertissement sanitaire, situation d'urgence : tout le monde est plus susceptible d'être touché.",
    },
  },
};

/** The seed's evaluation words, as the seed writes them (query 4) and in English. */
export const EVALUATION_NAMES: Readonly<Record<Evaluation, Readonly<Record<Language, string>>>> = {
  EXCELLENT: { en: "EXCELLENT", fr: "EXCELLENT" },
  MODERATE: { en: "MODERATE", fr: "MODÉRÉ" },
  POOR: { en: "POOR", fr: "MAUVAIS" },
  CRITICAL: { en: "CRITICAL", fr: "CRITIQUE" },
};
