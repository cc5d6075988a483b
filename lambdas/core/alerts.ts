/**
 * Alerts, one idea: the rules (as configured per stage and validated), the state each rule keeps
 * per sensor, the hysteresis and reminder state machine over samples, and the notices it gives
 * with their texts.
 */
import { AQI_CATEGORIES, type AqiCategory, AVERAGING, type HourlyAggregate } from "./aggregates.js";
import { AQI_CATEGORY_FLOOR, AQI_CATEGORY_INFO, type Language, pm25Aqi } from "./aqi.js";
import { MEASURES, type MeasuredReading, measureValue } from "./measures.js";
import { meanOf } from "./rollup.js";
import type { Zone } from "./sensor.js";
import { MINUTE_MS } from "./time.js";
import * as z from "./zod.js";

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Metrics a rule can watch on each reading: the measures themselves. */
export const READING_METRICS = MEASURES;
/**
 * Metrics a rule can watch on each hourly roll-up of a sensor: each measure's mean, the coverage,
 * and the hour's NowCast of PM2.5 and its AQI.
 */
export const HOURLY_METRICS = [
  ...MEASURES.map((measure) => `${measure}_mean` as const),
  "completeness",
  "pm25_nowcast",
  "pm25_nowcast_aqi",
] as const;
/** Metrics a rule can watch on each local day of a sensor: the valid 24-hour mean of PM2.5. */
export const DAILY_METRICS = ["pm25_daily_mean"] as const;

const ruleBase = {
  id: z.string().check(z.regex(/^[a-z0-9_]{1,48}$/)),
  /** What the threshold rests on: a standard and its figure, or why a project rule has it. */
  source: z.string().check(z.minLength(10)),
  severity: z.enum(SEVERITIES),
  /** "above": breached when value > threshold, clears when value < threshold - hysteresis. */
  direction: z.enum(["above", "below"]),
  threshold: z.number(),
  hysteresis: z.number().check(z.gte(0)),
  reminderMinutes: z.int().check(z.gte(1)),
};

export const alertRuleSchema = z.discriminatedUnion("scope", [
  z.strictObject({ scope: z.literal("reading"), metric: z.enum(READING_METRICS), ...ruleBase }),
  z.strictObject({ scope: z.literal("hourly"), metric: z.enum(HOURLY_METRICS), ...ruleBase }),
  z.strictObject({ scope: z.literal("daily"), metric: z.enum(DAILY_METRICS), ...ruleBase }),
]);
export type AlertRule = z.infer<typeof alertRuleSchema>;

export const alertRulesSchema = z.array(alertRuleSchema).check(
  z.superRefine((rules, ctx) => {
    const ids = new Set<string>();
    for (const [index, rule] of rules.entries()) {
      if (ids.has(rule.id))
        ctx.addIssue({ code: "custom", path: [index, "id"], message: `duplicate rule id ${rule.id}` });
      ids.add(rule.id);
    }
  }),
);

/** Where one rule stands on one sensor. A rule that never fired has no state. */
export interface RuleState {
  /** Epoch ms of the observation that opened the alert; null once it is resolved. */
  readonly openedAt: number | null;
  /**
   * Epoch ms of the observation behind the last notice. Observations up to it were already
   * judged: a roll-up that re-covers past hours, or a replayed reading, cannot notify twice.
   */
  readonly lastNotifiedAt: number;
}

/** A sensor's rule states by rule id: what the alert state store keeps for it. */
export type SensorAlertStates = Readonly<Record<string, RuleState>>;

export const NOTICE_STATES = ["opened", "reminder", "resolved"] as const;
export type NoticeState = (typeof NOTICE_STATES)[number];

/** One message to the people watching: an alert opened, still holds, or resolved. */
export interface AlertNotice {
  readonly sensorId: string;
  readonly zone: Zone;
  readonly ruleId: string;
  readonly metric: AlertRule["metric"];
  readonly severity: Severity;
  readonly state: NoticeState;
  readonly value: number;
  readonly threshold: number;
  /** ISO 8601: time of the observation behind the notice. */
  readonly at: string;
  /** ISO 8601: time of the observation that opened the alert. */
  readonly openedAt: string;
  /** What the value is averaged over (a single reading, a 1-hour mean, the NowCast, a day). */
  readonly averaging: string;
  /** The rule's source: the standard the threshold comes from. */
  readonly source: string;
  /** For a rule on an AQI: the EPA category of the value. */
  readonly aqiCategory?: AqiCategory;
}

/** What each metric is averaged over, as the notices say it. */
export const METRIC_AVERAGING: Readonly<Record<AlertMetric, string>> = {
  ...(Object.fromEntries(READING_METRICS.map((metric) => [metric, "single reading"])) as Record<
    (typeof READING_METRICS)[number],
    string
  >),
  ...(Object.fromEntries(MEASURES.map((measure) => [`${measure}_mean`, AVERAGING.hourlyMean])) as Record<
    `${(typeof MEASURES)[number]}_mean`,
    string
  >),
  completeness: "readings of the hour / readings promised",
  pm25_nowcast: AVERAGING.nowcast,
  pm25_nowcast_aqi: AVERAGING.nowcast,
  pm25_daily_mean: AVERAGING.dailyMean,
};

export type AlertMetric = AlertRule["metric"];

/** The values a rule may watch at one instant: a reading, or a sensor's hourly row. */
export interface Sample {
  /** Epoch ms: the reading's timestamp, or the hour's start. */
  readonly at: number;
  /** A metric without a value (a silent sensor's mean) leaves its rules as they are. */
  readonly values: Readonly<Partial<Record<AlertMetric, number>>>;
}

export function readingSample(reading: MeasuredReading & { readonly timestamp: number }): Sample {
  const values: Partial<Record<AlertMetric, number>> = {};
  for (const measure of MEASURES) {
    const value = measureValue(reading, measure);
    if (value !== undefined) values[measure] = value;
  }
  return { at: reading.timestamp, values };
}

export function hourlySample(row: HourlyAggregate): Sample {
  const values: Partial<Record<AlertMetric, number>> = { completeness: row.completeness };
  for (const measure of MEASURES) {
    const mean = meanOf(row.measures[measure]);
    if (mean !== null) values[`${measure}_mean`] = mean;
  }
  if (row.nowcastPm25 !== null) {
    values.pm25_nowcast = row.nowcastPm25;
    values.pm25_nowcast_aqi = pm25Aqi(row.nowcastPm25).aqi;
  }
  return { at: row.hourStart, values };
}

/** A sensor's valid local day: its 24-hour mean, observed at the day's first hour. */
export function dailySample(dayStart: number, mean: number): Sample {
  return { at: dayStart, values: { pm25_daily_mean: mean } };
}

export interface RuleStep {
  readonly state: RuleState | undefined;
  /** Set when the step changes something worth telling. */
  readonly notice?: NoticeState;
}

/**
 * One observation of one rule. "above" opens when value > threshold and resolves once value <
 * threshold - hysteresis; "below" mirrors it. Between the two bounds nothing changes, which is
 * what keeps a value wobbling around the threshold from flapping. While the breach holds a
 * reminder goes out at most once per reminderMinutes. An observation no newer than the rule's
 * last notice was already judged and changes nothing.
 */
export function stepRule(rule: AlertRule, state: RuleState | undefined, value: number, at: number): RuleStep {
  if (state !== undefined && at <= state.lastNotifiedAt) return { state };
  const breached = rule.direction === "above" ? value > rule.threshold : value < rule.threshold;
  const cleared =
    rule.direction === "above" ? value < rule.threshold - rule.hysteresis : value > rule.threshold + rule.hysteresis;
  if (state === undefined || state.openedAt === null) {
    return breached ? { state: { openedAt: at, lastNotifiedAt: at }, notice: "opened" } : { state };
  }
  if (cleared) return { state: { openedAt: null, lastNotifiedAt: at }, notice: "resolved" };
  if (breached && at - state.lastNotifiedAt >= rule.reminderMinutes * MINUTE_MS) {
    return { state: { ...state, lastNotifiedAt: at }, notice: "reminder" };
  }
  return { state };
}

/** A notice with the sensor's states as they are once it is delivered. */
export interface AlertStep {
  readonly notice: AlertNotice;
  readonly statesAfter: SensorAlertStates;
}

export interface AlertEvaluation {
  /** In the order they happened. */
  readonly steps: readonly AlertStep[];
  readonly finalStates: SensorAlertStates;
}

/**
 * Runs the rules over a sensor's samples in time order, from its saved states. Every change of
 * state comes with a notice, so the states to save are those of the last delivered notice.
 */
export function evaluateAlerts(
  rules: readonly AlertRule[],
  sensor: { readonly sensorId: string; readonly zone: Zone },
  states: SensorAlertStates,
  samples: readonly Sample[],
): AlertEvaluation {
  const current: Record<string, RuleState> = { ...states };
  const steps: AlertStep[] = [];
  const ordered = [...samples].sort((a, b) => a.at - b.at);
  for (const sample of ordered) {
    for (const rule of rules) {
      const value = sample.values[rule.metric];
      if (value === undefined) continue;
      const previous = current[rule.id];
      const step = stepRule(rule, previous, value, sample.at);
      if (step.state !== undefined) current[rule.id] = step.state;
      if (step.notice === undefined) continue;
      const openedAt = step.state?.openedAt ?? previous?.openedAt ?? sample.at;
      steps.push({
        notice: {
          sensorId: sensor.sensorId,
          zone: sensor.zone,
          ruleId: rule.id,
          metric: rule.metric,
          severity: rule.severity,
          state: step.notice,
          value,
          threshold: rule.threshold,
          at: new Date(sample.at).toISOString(),
          openedAt: new Date(openedAt).toISOString(),
          averaging: METRIC_AVERAGING[rule.metric],
          source: rule.source,
          ...(rule.metric === "pm25_nowcast_aqi" ? { aqiCategory: aqiCategoryOf(value) } : {}),
        },
        statesAfter: { ...current },
      });
    }
  }
  return { steps, finalStates: { ...current } };
}

/** The category of an AQI value: the last whose floor (TAD Table 1) it reaches. */
function aqiCategoryOf(aqi: number): AqiCategory {
  return AQI_CATEGORIES.findLast((category) => aqi >= AQI_CATEGORY_FLOOR[category]) ?? "Good";
}

const STATE_WORDS: Readonly<Record<NoticeState, Readonly<Record<Language, string>>>> = {
  opened: { en: "ALERT", fr: "ALERTE" },
  reminder: { en: "STILL", fr: "TOUJOURS" },
  resolved: { en: "RESOLVED", fr: "TERMINÉE" },
};

/** A one-line subject of at most 100 characters (what SNS allows, and short enough for a console line). */
export function noticeSubject(notice: AlertNotice, lang: Language = "en"): string {
  const category = notice.aqiCategory === undefined ? "" : ` ${AQI_CATEGORY_INFO[notice.aqiCategory].name[lang]}`;
  const subject = `[${notice.severity.toUpperCase()}] ${STATE_WORDS[notice.state][lang]} ${notice.sensorId} ${notice.metric} ${formatValue(notice.value)}${category}`;
  return subject.slice(0, 100);
}

/**
 * A text a person reads in an e-mail or a console: the figure, what it is averaged over, the
 * threshold and the standard it comes from, and for an AQI what the category means for health.
 */
export function noticeText(notice: AlertNotice, lang: Language = "en"): string {
  const info = notice.aqiCategory === undefined ? undefined : AQI_CATEGORY_INFO[notice.aqiCategory];
  if (lang === "fr") {
    const comparison =
      notice.state === "resolved" ? "est revenu sous" : notice.state === "opened" ? "a franchi" : "dépasse toujours";
    return [
      `${notice.sensorId} (${notice.zone}) : ${notice.metric} = ${formatValue(notice.value)} (${notice.averaging}), ${comparison} le seuil ${notice.threshold} de la règle ${notice.ruleId}.`,
      ...(info === undefined ? [] : [`Catégorie : ${info.name.fr}. ${info.message.fr}`]),
      `Source : ${notice.source}.`,
      `Gravité : ${notice.severity}. État : ${notice.state}. À : ${notice.at}. Ouverte à : ${notice.openedAt}.`,
    ].join("\n");
  }
  const comparison =
    notice.state === "resolved" ? "back within" : notice.state === "opened" ? "crossed" : "still beyond";
  return [
    `${notice.sensorId} (${notice.zone}): ${notice.metric} = ${formatValue(notice.value)} (${notice.averaging}), ${comparison} the threshold ${notice.threshold} of rule ${notice.ruleId}.`,
    ...(info === undefined ? [] : [`Category: ${info.name.en}. ${info.message.en}`]),
    `Source: ${notice.source}.`,
    `Severity: ${notice.severity}. State: ${notice.state}. At: ${notice.at}. Opened at: ${notice.openedAt}.`,
  ].join("\n");
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
