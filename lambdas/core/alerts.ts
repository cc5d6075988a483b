import type { HourlyAggregate } from "./aggregates.js";
import type { AlertRule } from "./alert-rules.js";
import type { AlertNotice, NoticeState, RuleState, SensorAlertStates } from "./alert-types.js";
import type { Reading } from "./reading.js";
import { meanOf } from "./rollup.js";
import type { Zone } from "./sensor.js";

export type AlertMetric = AlertRule["metric"];

/** The values a rule may watch at one instant: a reading, or a sensor's hourly row. */
export interface Sample {
  /** Epoch ms: the reading's timestamp, or the hour's start. */
  readonly at: number;
  /** A metric without a value (a silent sensor's mean) leaves its rules as they are. */
  readonly values: Readonly<Partial<Record<AlertMetric, number>>>;
}

export function readingSample(reading: Reading): Sample {
  const { pm25, temperature, humidity, co2 } = reading;
  return { at: reading.timestamp, values: { pm25, temperature, humidity, co2 } };
}

export function hourlySample(row: HourlyAggregate): Sample {
  const values: Partial<Record<AlertMetric, number>> = { completeness: row.completeness };
  const means = {
    pm25_mean: meanOf(row.measures.pm25),
    temperature_mean: meanOf(row.measures.temperature),
    humidity_mean: meanOf(row.measures.humidity),
    co2_mean: meanOf(row.measures.co2),
  };
  for (const [metric, mean] of Object.entries(means) as [AlertMetric, number | null][]) {
    if (mean !== null) values[metric] = mean;
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
  if (breached && at - state.lastNotifiedAt >= rule.reminderMinutes * 60_000) {
    return { state: { ...state, lastNotifiedAt: at }, notice: "reminder" };
  }
  return { state };
}

/** Whether the rule's alert is open (a resolved rule keeps its state, with openedAt null). */
export function isOpen(state: RuleState | undefined): boolean {
  return state !== undefined && state.openedAt !== null;
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

/** SNS message attributes, so that subscribers filter by policy (all String). */
export function noticeAttributes(
  notice: AlertNotice,
): Record<"severity" | "sensor_id" | "zone" | "metric" | "state", string> {
  return {
    severity: notice.severity,
    sensor_id: notice.sensorId,
    zone: notice.zone,
    metric: notice.metric,
    state: notice.state,
  };
}

const STATE_WORDS: Readonly<Record<NoticeState, string>> = {
  opened: "ALERT",
  reminder: "STILL",
  resolved: "RESOLVED",
};

/** A one-line subject (SNS: at most 100 printable characters). */
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
