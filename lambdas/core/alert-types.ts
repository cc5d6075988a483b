import type { AlertRule, Severity } from "./alert-rules.js";
import type { Zone } from "./sensor.js";

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

/** A sensor's rule states by rule id: what the device shadow (or the local table) holds. */
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
