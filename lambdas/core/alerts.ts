/**
 * Alerts, one idea: the rules (as configured per stage and validated), the state each rule keeps
 * per sensor, the hysteresis and reminder state machine over samples, and the notices it gives
 * with their texts.
 */
import type { HourlyAggregate } from "./aggregates.js";
import { MEASURES } from "./measures.js";
import type { Reading } from "./reading.js";
import { meanOf } from "./rollup.js";
import type { Zone } from "./sensor.js";
import { MINUTE_MS } from "./time.js";
import * as z from "./zod.js";

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Metrics a rule can watch on each reading: the measures themselves. */
export const READING_METRICS = MEASURES;
/** Metrics a rule can watch on each hourly roll-up of a sensor: each measure's mean, and the coverage. */
export const HOURLY_METRICS = [...MEASURES.map((measure) => `${measure}_mean` as const), "completeness"] as const;

const ruleBase = {
  id: z.string().check(z.regex(/^[a-z0-9_]{1,48}$/)),
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
}

export type AlertMetric = AlertRule["metric"];

/** The values a rule may watch at one instant: a reading, or a sensor's hourly row. */
export interface Sample {
  /** Epoch ms: the reading's timestamp, or the hour's start. */
  readonly at: number;
  /** A metric without a value (a silent sensor's mean) leaves its rules as they are. */
  readonly values: Readonly<Partial<Record<AlertMetric, number>>>;
}

export function readingSample(reading: Reading): Sample {
  const values: Partial<Record<AlertMetric, number>> = {};
  for (const measure of MEASURES) values[measure] = reading[measure];
  return { at: reading.timestamp, values };
}

export function hourlySample(row: HourlyAggregate): Sample {
  const values: Partial<Record<AlertMetric, number>> = { completeness: row.completeness };
  for (const measure of MEASURES) {
    const mean = meanOf(row.measures[measure]);
    if (mean !== null) values[`${measure}_mean`] = mean;
  }
  return { at: row.hourStart, values };
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
        },
        statesAfter: { ...current },
      });
    }
  }
  return { steps, finalStates: { ...current } };
}

const STATE_WORDS: Readonly<Record<NoticeState, string>> = {
  opened: "ALERT",
  reminder: "STILL",
  resolved: "RESOLVED",
};

/** A one-line subject of at most 100 characters (what SNS allows, and short enough for a console line). */
export function noticeSubject(notice: AlertNotice): string {
  const subject = `[${notice.severity.toUpperCase()}] ${STATE_WORDS[notice.state]} ${notice.sensorId} ${notice.metric} ${formatValue(notice.value)}`;
  return subject.slice(0, 100);
}

/** A text a person reads in an e-mail or a console. */
export function noticeText(notice: AlertNotice): string {
  const comparison =
    notice.state === "resolved" ? "back within" : notice.state === "opened" ? "crossed" : "still beyond";
  return [
    `${notice.sensorId} (${notice.zone}): ${notice.metric} = ${formatValue(notice.value)}, ${comparison} the threshold ${notice.threshold} of rule ${notice.ruleId}.`,
    `Severity: ${notice.severity}. State: ${notice.state}. At: ${notice.at}. Opened at: ${notice.openedAt}.`,
  ].join("\n");
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
