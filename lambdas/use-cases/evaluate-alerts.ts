import { METRIC } from "../bindings/metrics.js";
import type { AlertRule, SensorAlertStates } from "../core/alerts.js";
import { evaluateAlerts, readingSample, type Sample } from "../core/alerts.js";
import type { EnrichedReading } from "../core/reading.js";
import type { Zone } from "../core/sensor.js";
import {
  type AlertSink,
  type AlertStateStore,
  type HandlerLogger,
  type HandlerMetrics,
  MetricUnit,
  type StoredReadingsListener,
  VersionConflictError,
} from "../ports.js";

export interface AlertingDeps {
  /** Rules of one scope: the caller picks "reading" or "hourly" ones. */
  readonly rules: readonly AlertRule[];
  readonly states: AlertStateStore;
  readonly sink: AlertSink;
  readonly logger: HandlerLogger;
  readonly metrics: HandlerMetrics;
  /** Loads and re-applies after a version conflict at most this many times. @default 3 */
  readonly maxConflictRetries?: number;
}

export interface AlertOutcome {
  readonly opened: number;
  readonly reminders: number;
  readonly resolved: number;
  readonly publishFailures: number;
}

const NO_ALERTS: AlertOutcome = { opened: 0, reminders: 0, resolved: 0, publishFailures: 0 };

function addOutcomes(a: AlertOutcome, b: AlertOutcome): AlertOutcome {
  return {
    opened: a.opened + b.opened,
    reminders: a.reminders + b.reminders,
    resolved: a.resolved + b.resolved,
    publishFailures: a.publishFailures + b.publishFailures,
  };
}

/**
 * Evaluates one sensor's samples against its saved states, publishes the notices in order and
 * saves the states as they stand after the last notice delivered. A notice that could not be
 * published leaves the state before it, so the next evaluation produces it again. On a version
 * conflict (another invocation saved in between) it reloads and re-applies, without publishing
 * again what this call already delivered.
 */
async function evaluateSensorAlerts(
  deps: AlertingDeps,
  sensor: { readonly sensorId: string; readonly zone: Zone },
  samples: readonly Sample[],
): Promise<AlertOutcome> {
  if (deps.rules.length === 0 || samples.length === 0) return NO_ALERTS;
  const delivered = new Set<string>();
  const counts = { opened: 0, reminders: 0, resolved: 0, publishFailures: 0 };
  const attempts = 1 + (deps.maxConflictRetries ?? 3);
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const { states, version } = await deps.states.load(sensor.sensorId);
    const { steps } = evaluateAlerts(deps.rules, sensor, states, samples);
    let toSave: SensorAlertStates | undefined;
    for (const { notice, statesAfter } of steps) {
      const key = `${notice.ruleId}\u0000${notice.state}\u0000${notice.at}`;
      if (!delivered.has(key)) {
        try {
          await deps.sink.publish(notice);
        } catch (error) {
          counts.publishFailures += 1;
          deps.metrics.addMetric(METRIC.alertPublishFailures, MetricUnit.Count, 1);
          deps.logger.error("alert notice not delivered; the next evaluation retries it", { notice, error });
          break;
        }
        delivered.add(key);
        if (notice.state === "opened") counts.opened += 1;
        else if (notice.state === "reminder") counts.reminders += 1;
        else counts.resolved += 1;
        deps.logger.info("alert notice delivered", { notice });
      }
      toSave = statesAfter;
    }
    if (toSave === undefined) break;
    try {
      await deps.states.save(sensor.sensorId, toSave, version);
      break;
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt === attempts) throw error;
      deps.logger.warn("alert state changed meanwhile; re-applying", { sensorId: sensor.sensorId, attempt });
    }
  }
  if (counts.opened > 0) deps.metrics.addMetric(METRIC.alertsOpened, MetricUnit.Count, counts.opened);
  if (counts.resolved > 0) deps.metrics.addMetric(METRIC.alertsResolved, MetricUnit.Count, counts.resolved);
  return counts;
}

interface SensorSamples {
  readonly zone: Zone;
  readonly samples: readonly Sample[];
}

/** Each sensor's samples, in the order of `items`, with the sensor's zone. */
export function samplesBySensor<Item extends { readonly sensorId: string; readonly zone: Zone }>(
  items: readonly Item[],
  toSample: (item: Item) => Sample,
): Map<string, SensorSamples> {
  const bySensor = new Map<string, { zone: Zone; samples: Sample[] }>();
  for (const item of items) {
    const entry = bySensor.get(item.sensorId) ?? { zone: item.zone, samples: [] };
    entry.samples.push(toSample(item));
    bySensor.set(item.sensorId, entry);
  }
  return bySensor;
}

/**
 * Evaluates several sensors at once. A sensor whose evaluation fails (state store down, conflicts
 * exhausted) is logged and skipped: alerts never make the caller fail.
 */
export async function evaluateAlertsBySensor(
  deps: AlertingDeps,
  bySensor: ReadonlyMap<string, SensorSamples>,
): Promise<AlertOutcome> {
  const outcomes = await Promise.all(
    [...bySensor.entries()].map(async ([sensorId, { zone, samples }]) => {
      try {
        return await evaluateSensorAlerts(deps, { sensorId, zone }, samples);
      } catch (error) {
        deps.logger.error("alert evaluation failed", { sensorId, error });
        return NO_ALERTS;
      }
    }),
  );
  return outcomes.reduce(addOutcomes, NO_ALERTS);
}

/**
 * The ingest handler's listener: per-reading rules over each stored batch, each sensor's
 * readings in timestamp order. It never throws, so alerts can never make storage fail.
 */
export function makeReadingAlerter(deps: AlertingDeps): StoredReadingsListener {
  const rules = deps.rules.filter((rule) => rule.scope === "reading");
  return {
    async onStored(readings: readonly EnrichedReading[]): Promise<void> {
      if (rules.length === 0 || readings.length === 0) return;
      await evaluateAlertsBySensor({ ...deps, rules }, samplesBySensor(readings, readingSample));
    },
  };
}
