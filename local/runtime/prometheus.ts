/**
 * The local mode's metrics for Prometheus (the seed's monitoring plan, B2.2). The use cases count
 * through the same HandlerMetrics port as in Lambda, where the counts become CloudWatch EMF; here
 * they become prom-client counters and histograms. The figures of a moment (active sensors, share
 * of valid readings, database size and growth) are read from the health report at each scrape.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { METRIC, type MetricName } from "../../lambdas/bindings/metrics.js";
import type { HandlerMetrics } from "../../lambdas/ports.js";
import type { HealthReport } from "../health.js";

/** The pipeline's failures by where they happened, for an error-rate panel. */
const ERROR_KINDS = ["alert_publish", "ingest_batch", "rollup"] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface PrometheusMetrics {
  readonly registry: Registry;
  /** What the use cases count with. */
  readonly handlerMetrics: HandlerMetrics;
  countError(kind: ErrorKind): void;
  /** Sets the gauges of the moment from a fresh health report. */
  observeHealth(report: HealthReport): void;
}

/** Seconds; from a group commit's few milliseconds to a backfill's day-old readings. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const AGE_BUCKETS = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 21_600, 86_400];

export function makePrometheusMetrics(): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const counter = (name: string, help: string, labelNames: readonly string[] = []) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string, labelNames: readonly string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const histogram = (name: string, help: string, buckets: number[]) =>
    new Histogram({ name, help, buckets, registers: [registry] });

  const received = counter("kaikai_readings_received_total", "Telemetry messages handed to ingest.");
  const stored = counter("kaikai_readings_stored_total", "Readings stored.");
  const quarantined = counter("kaikai_readings_quarantined_total", "Messages quarantined, by reason code.", ["reason"]);
  const writeCalls = counter("kaikai_store_write_calls_total", "Store write calls (one transaction each).");
  const refused = counter("kaikai_store_rejected_records_total", "Readings the store refused (quarantined).");
  const exceedances = counter(
    "kaikai_threshold_exceedances_total",
    "Alerts opened: a reading, an hour or a day beyond a rule's threshold.",
  );
  const resolved = counter("kaikai_alerts_resolved_total", "Alerts resolved.");
  const rollupRuns = counter("kaikai_rollup_runs_total", "Roll-up runs, by roll-up.", ["rollup"]);
  const errors = counter("kaikai_errors_total", "Pipeline failures, by where they happened.", ["kind"]);
  // Zero from the start, so that a rate of errors exists before the first one.
  for (const kind of ERROR_KINDS) errors.inc({ kind }, 0);
  const processing = histogram(
    "kaikai_processing_latency_seconds",
    "From a reading's receipt to its storage and alert evaluation.",
    LATENCY_BUCKETS,
  );
  const batch = histogram("kaikai_batch_duration_seconds", "Processing time of one ingest batch.", LATENCY_BUCKETS);
  const ingestAge = histogram(
    "kaikai_ingest_latency_seconds",
    "From a reading's own timestamp to its receipt (a backfill's readings are hours old).",
    AGE_BUCKETS,
  );
  const zoneCompleteness = gauge(
    "kaikai_zone_completeness_ratio",
    "Share of the expected readings seen in the newest hour rolled up, by zone.",
    ["zone"],
  );

  const activeSensors = gauge("kaikai_active_sensors", "Sensors with a reading in the last hour.");
  const registrySensors = gauge("kaikai_registry_sensors", "Sensors in the registry.");
  const validRatio = gauge(
    "kaikai_valid_readings_ratio",
    "Share of the messages received in the health window that were stored (NaN: none received).",
  );
  const lastReadingAge = gauge(
    "kaikai_last_reading_age_seconds",
    "Age of the newest stored reading (NaN: none stored).",
  );
  const openAlerts = gauge("kaikai_open_alerts", "Open (rule, sensor) alerts.");
  const databaseBytes = gauge("kaikai_database_bytes", "Size of the SQLite database with its WAL.");
  const growth = gauge(
    "kaikai_database_growth_bytes_per_day",
    "Database growth at the last 24 hours' rate (NaN: nothing stored).",
  );
  const checkOk = gauge("kaikai_health_check_ok", "1 when the health check holds, 0 when it is in ALARM.", ["check"]);

  const ms = (value: number) => Math.max(0, value) / 1000;
  /** The use cases' metrics without a dimension. ActiveSensors is read from the store at each scrape instead. */
  const plain: Partial<Record<MetricName, (value: number) => void>> = {
    [METRIC.readingsReceived]: (value) => received.inc(value),
    [METRIC.readingsStored]: (value) => stored.inc(value),
    [METRIC.writeRecordsCalls]: (value) => writeCalls.inc(value),
    [METRIC.recordsRejectedByStore]: (value) => refused.inc(value),
    [METRIC.ingestLatency]: (value) => ingestAge.observe(ms(value)),
    [METRIC.processingLatency]: (value) => processing.observe(ms(value)),
    [METRIC.batchDuration]: (value) => batch.observe(ms(value)),
    [METRIC.alertsOpened]: (value) => exceedances.inc(value),
    [METRIC.alertsResolved]: (value) => resolved.inc(value),
    [METRIC.alertPublishFailures]: (value) => errors.inc({ kind: "alert_publish" }, value),
    [METRIC.hourlyRollupRuns]: (value) => rollupRuns.inc({ rollup: "hourly" }, value),
    [METRIC.zoneRollupRuns]: (value) => rollupRuns.inc({ rollup: "zone" }, value),
  };
  // The quarantine's total is emitted beside its per-reason counts: the labelled series add up to it.
  const dimensioned: Partial<Record<MetricName, (dimension: string, value: number) => void>> = {
    [METRIC.readingsQuarantined]: (reason, value) => quarantined.inc({ reason }, value),
    [METRIC.zoneCompleteness]: (zone, value) => zoneCompleteness.set({ zone }, value / 100),
  };

  const handlerMetrics: HandlerMetrics = {
    addMetric: (name, _unit, value) => plain[name as MetricName]?.(value),
    singleMetric: () => {
      let dimension: string | undefined;
      return {
        addDimension: (_name, value) => {
          dimension = value;
        },
        addMetric: (name, _unit, value) => {
          if (dimension !== undefined) dimensioned[name as MetricName]?.(dimension, value);
        },
      };
    },
  };

  const orNaN = (value: number | null) => value ?? Number.NaN;
  return {
    registry,
    handlerMetrics,
    countError: (kind) => errors.inc({ kind }),
    observeHealth(report) {
      activeSensors.set(report.activeSensors);
      registrySensors.set(report.registrySensors);
      validRatio.set(report.received === 0 ? Number.NaN : report.stored / report.received);
      lastReadingAge.set(orNaN(report.lastReadingAgeSeconds));
      openAlerts.set(report.openAlerts);
      databaseBytes.set(report.databaseBytes);
      growth.set(orNaN(report.growthBytesPerDay));
      for (const check of report.checks) checkOk.set({ check: check.name }, check.ok ? 1 : 0);
    },
  };
}
