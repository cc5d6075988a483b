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

export const METRIC = {
  readingsReceived: "ReadingsReceived",
  readingsStored: "ReadingsStored",
  readingsQuarantined: "ReadingsQuarantined",
  writeRecordsCalls: "WriteRecordsCalls",
  recordsRejectedByStore: "RecordsRejectedByStore",
  /** Receive time minus the reading's own timestamp, ms. */
  ingestLatency: "IngestLatency",
  /** End of processing minus receive time, ms. */
  processingLatency: "ProcessingLatency",
  batchDuration: "BatchDuration",
  activeSensors: "ActiveSensors",
  zoneCompleteness: "ZoneCompleteness",
  alertsOpened: "AlertsOpened",
  alertsResolved: "AlertsResolved",
  alertPublishFailures: "AlertPublishFailures",
  hourlyRollupRuns: "HourlyRollupRuns",
  zoneRollupRuns: "ZoneRollupRuns",
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];
