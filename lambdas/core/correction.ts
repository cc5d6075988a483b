/**
 * Corrections of low-cost PM2.5 readings toward what a reference monitor would have measured.
 * Optical sensors such as Plantower's overread in humid air, where particles swell with water,
 * and the US EPA's corrections for them take the relative humidity as an input. A reading keeps
 * its raw value; the corrected one is stored beside it with the label of the formula (its
 * identifier and version), so that a later formula can recompute the series from the raw values.
 */

export const CORRECTION_IDS = ["none", "epa_barkjohn_2021", "epa_barkjohn_2022"] as const;
export type CorrectionId = (typeof CORRECTION_IDS)[number];

export interface Correction {
  readonly id: CorrectionId;
  /** Raised when the formula's code changes what it gives, so that stored values say which one made them. */
  readonly version: number;
  /** What it is, with its source. */
  readonly description: string;
  /** The formula needs the reading's relative humidity: without one, nothing is corrected. */
  readonly needsHumidity: boolean;
}

export const CORRECTIONS: Readonly<Record<CorrectionId, Correction>> = {
  none: {
    id: "none",
    version: 1,
    description: "none: a reference-grade instrument, its readings are taken as they are",
    needsHumidity: false,
  },
  epa_barkjohn_2021: {
    id: "epa_barkjohn_2021",
    version: 1,
    description:
      "US EPA US-wide correction for Plantower sensors (Barkjohn, Gantt and Clements, Atmos. Meas. Tech. 14, 4617-4637, 2021)",
    needsHumidity: true,
  },
  epa_barkjohn_2022: {
    id: "epa_barkjohn_2022",
    version: 1,
    description:
      "US EPA US-wide correction extended to high concentrations (Barkjohn, Holder, Frederick and Clements, Sensors 22, 9669, 2022)",
    needsHumidity: true,
  },
};

const LABELS = Object.fromEntries(CORRECTION_IDS.map((id) => [id, `${id}@${CORRECTIONS[id].version}`])) as Readonly<
  Record<CorrectionId, string>
>;

/** What a stored corrected value is labelled with: the formula's identifier and version. */
export function correctionLabel(id: CorrectionId): string {
  return LABELS[id];
}

/** Plantower's laser counters, the sensors the EPA corrections were fitted on (PurpleAir carries two PMS5003 or PMS6003). */
const PLANTOWER_MODELS = new Set([
  "PMS1003",
  "PMS3003",
  "PMS5003",
  "PMS5003ST",
  "PMS6003",
  "PMS7003",
  "PMS9003M",
  "PMSA003",
  "PMSA003I",
]);

/**
 * The correction of a sensor's readings, chosen by its instrument model: the EPA's extended
 * correction for Plantower sensors, none for any other model (reference-grade monitors, and
 * sensors no EPA correction was fitted on: correcting them with it would be a guess).
 */
export function correctionForModel(model: string): CorrectionId {
  return PLANTOWER_MODELS.has(model.trim().toUpperCase()) ? "epa_barkjohn_2022" : "none";
}

/**
 * Barkjohn et al. 2021, the US-wide correction (their equation with RH, fitted on 24-hour means
 * of PurpleAir cf_1 PM2.5 against FRM/FEM monitors in 16 states):
 *   PM2.5 = 0.524 x PA_cf1 - 0.0862 x RH + 5.75
 * with PA_cf1 in ug/m3 and RH in %.
 */
function barkjohn2021(raw: number, humidity: number): number {
  return 0.524 * raw - 0.0862 * humidity + 5.75;
}

/**
 * Barkjohn et al. 2022, the extension for high concentrations (wildfire smoke), as the AirNow
 * Fire and Smoke Map applies it:
 *   PA_cf1 < 570:        the 2021 equation (570 is where it gives 300 ug/m3 at 50 % RH)
 *   570 <= PA_cf1 < 611: (0.0244 x PA_cf1 - 13.9) x Q + (1 - (0.0244 x PA_cf1 - 13.9)) x the 2021 equation
 *   PA_cf1 >= 611:       Q = 0.46 x PA_cf1 + 3.93e-4 x PA_cf1^2 + 2.97
 * The quadratic Q takes over where the sensor's response flattens (about 400 ug/m3 corrected) and
 * no longer depends on humidity.
 */
function barkjohn2022(raw: number, humidity: number): number {
  const quadratic = 0.46 * raw + 3.93e-4 * raw * raw + 2.97;
  if (raw < 570) return barkjohn2021(raw, humidity);
  if (raw >= 611) return quadratic;
  const weight = 0.0244 * raw - 13.9;
  return weight * quadratic + (1 - weight) * barkjohn2021(raw, humidity);
}

/** Corrected values are kept to 0.01 ug/m3: the formulas are no more precise than that. */
const round2 = (value: number): number => Math.round(value * 100) / 100;

/**
 * The corrected PM2.5 of a raw value (ug/m3), clamped at 0 (the 2021 equation goes negative in
 * clean humid air); null when the formula needs a humidity the reading does not have.
 */
export function correctPm25(id: CorrectionId, raw: number, humidity: number | null | undefined): number | null {
  if (id === "none") return raw;
  if (humidity === null || humidity === undefined || !Number.isFinite(humidity)) return null;
  const corrected = id === "epa_barkjohn_2021" ? barkjohn2021(raw, humidity) : barkjohn2022(raw, humidity);
  return Math.max(0, round2(corrected));
}
