/**
 * Every metric the functions emit (EMF through Powertools) and the dashboard and alarms read.
 * One list, so a renamed metric cannot leave a dashboard widget pointing at nothing.
 */
export const METRICS_NAMESPACE = "Kaikai";
/** Dimension set on every metric. */
export const STAGE_DIMENSION = "stage";
/** Dimension of `ReadingsQuarantined` broken down by reason code. */
export const REASON_DIMENSION = "reason";
/** Dimension of per-zone roll-up metrics. */
export const ZONE_DIMENSION = "zone";
/**
 * Powertools adds a `service` dimension to every metric. CloudWatch keys a metric by its whole
 * dimension set, so every function uses this one value (pass it as `serviceName`) and the
 * dashboard and alarms can name the exact set they read.
 */
export const METRICS_SERVICE = "kaikai";
export const SERVICE_DIMENSION = "service";

/** The dimension set every metric carries: `{ service, stage }`. */
export function baseDimensions(stage: string): Readonly<Record<string, string>> {
  return { [SERVICE_DIMENSION]: METRICS_SERVICE, [STAGE_DIMENSION]: stage };
}

export const METRIC = {
  readingsReceived: "ReadingsReceived",
  readingsStored: "ReadingsStored",
  /**
   * Emitted twice per batch: the total with the base dimensions (the reject-share alarm reads it)
   * and one count per reason code with `reason` added (the reject-mix widget reads those; emit
   * them through `metrics.singleMetric()` so the reason does not leak onto the other metrics).
   */
  readingsQuarantined: "ReadingsQuarantined",
  writeRecordsCalls: "WriteRecordsCalls",
  recordsRejectedByStore: "RecordsRejectedByStore",
  /** Receive time minus the reading's own timestamp, ms. */
  ingestLatency: "IngestLatency",
  /** End of processing minus receive time, ms. */
  processingLatency: "ProcessingLatency",
  batchDuration: "BatchDuration",
  activeSensors: "ActiveSensors",
  /** Percent of the expected readings seen in the newest hour rolled up, one value per zone with `zone` added. */
  zoneCompleteness: "ZoneCompleteness",
  alertsOpened: "AlertsOpened",
  alertsResolved: "AlertsResolved",
  alertPublishFailures: "AlertPublishFailures",
  hourlyRollupRuns: "HourlyRollupRuns",
  zoneRollupRuns: "ZoneRollupRuns",
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];
