import { METRIC } from "../bindings/metrics.js";
import { hourlySample } from "../core/alerts.js";
import { hourlyAggregates, hourlySummaries, isoHour, nowcastWindowOf } from "../core/rollup.js";
import type { SensorRegistry } from "../core/sensor.js";
import {
  type AggregatePublisher,
  type Clock,
  type HandlerLogger,
  type HandlerMetrics,
  type HourlyAggregateSource,
  type HourlyAggregateWriter,
  type HourlyBinSource,
  MetricUnit,
} from "../ports.js";
import { type AlertingDeps, type AlertOutcome, evaluateAlertsBySensor, samplesBySensor } from "./evaluate-alerts.js";
import { rollupRange } from "./rollup-range.js";

export interface HourlyRollupDeps {
  readonly registry: SensorRegistry;
  readonly bins: HourlyBinSource;
  readonly writer: HourlyAggregateWriter;
  /** The rows already rolled up, for the NowCast's 11 hours before the range. */
  readonly hourly: HourlyAggregateSource;
  readonly publisher: AggregatePublisher;
  /** Hourly alert rules and where their state and notices go; rules of other scopes are ignored. */
  readonly alerting: Omit<AlertingDeps, "logger" | "metrics">;
  readonly clock: Clock;
  readonly logger: HandlerLogger;
  readonly metrics: HandlerMetrics;
}

export interface HourlyRollupResult {
  /** ISO 8601 hour starts, oldest first. */
  readonly hours: readonly string[];
  readonly rowsWritten: number;
  /** The run time: the version of every row written. */
  readonly version: number;
  readonly alerts: AlertOutcome;
}

/**
 * The hourly roll-up: bins the readings of the asked hours (by default the last complete hour and
 * the two before, for late data), computes each hour's NowCast with the rows already rolled up
 * for the 11 hours before, writes one row per registry sensor and hour with the run time as
 * version (a re-run overwrites), publishes a summary per hour and runs the hourly alert rules.
 * Rows are written first: a failing summary or alert never undoes them.
 */
export function makeHourlyRollup(deps: HourlyRollupDeps): (event: unknown) => Promise<HourlyRollupResult> {
  const alerting: AlertingDeps = {
    ...deps.alerting,
    rules: deps.alerting.rules.filter((rule) => rule.scope === "hourly"),
    logger: deps.logger,
    metrics: deps.metrics,
  };
  return async (event) => {
    const version = deps.clock.now();
    const range = rollupRange(event, version);
    const [bins, before] = await Promise.all([
      deps.bins.bins(range),
      deps.hourly.hourly({ from: nowcastWindowOf(range).from, to: range.from }),
    ]);
    const rows = hourlyAggregates(deps.registry, bins, range, before);
    await deps.writer.writeHourly(rows, version);

    for (const summary of hourlySummaries(rows, version)) {
      try {
        await deps.publisher.publishHourly(summary);
      } catch (error) {
        deps.logger.warn("hourly summary not published", { hour: summary.hour, error });
      }
    }
    const alerts = await evaluateAlertsBySensor(alerting, samplesBySensor(rows, hourlySample));

    // Gauges describe the newest hour only: a backfill must not report history as the present.
    const hours = [...new Set(rows.map((row) => row.hourStart))];
    const newestHour = Math.max(...hours);
    const activeSensors = rows.filter((row) => row.hourStart === newestHour && row.readings > 0).length;
    deps.metrics.addMetric(METRIC.activeSensors, MetricUnit.Count, activeSensors);
    deps.metrics.addMetric(METRIC.hourlyRollupRuns, MetricUnit.Count, 1);
    const result = { hours: hours.map(isoHour), rowsWritten: rows.length, version, alerts };
    deps.logger.info("hourly roll-up done", { ...result });
    return result;
  };
}
