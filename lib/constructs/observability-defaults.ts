import { Duration } from "aws-cdk-lib";

/** The defaults of the Observability construct; `ObservabilityProps` documents each one. */
export const OBSERVABILITY_DEFAULTS = {
  /** Period of the dashboard graphs and of the error, DLQ and IoT alarms. */
  period: Duration.minutes(5),
  /** Window over which the reject share is computed before it can alarm. */
  rejectSharePeriod: Duration.minutes(15),
  /** The roll-ups run hourly: one period is an hour. */
  rollupPeriod: Duration.hours(1),
  /** Hours in a row without a successful roll-up run before it alarms (one late run is not paged). */
  rollupMissedHours: 2,
  /** Periods in a row of throttled DynamoDB requests before its alarm fires. */
  dynamoDbThrottlePeriods: 3,
} as const;

/**
 * Logs Insights query over the functions' log groups: Lambda's own REPORT line carries the
 * memory used by each invocation, in the text format (`@maxMemoryUsed`, bytes) and in the JSON
 * format (`record.metrics.maxMemoryUsedMB`). AWS/Lambda has no memory metric without Lambda
 * Insights, which would add an extension layer to every function.
 */
export const MAX_MEMORY_QUERY_LINES = [
  'filter @type = "REPORT" or type = "platform.report"',
  "fields coalesce(@maxMemoryUsed / 1000000, record.metrics.maxMemoryUsedMB) as memoryUsedMB",
  "fields coalesce(@memorySize / 1000000, record.metrics.memorySizeMB) as memorySizeMB",
  "stats max(memoryUsedMB) as maxUsedMB, avg(memoryUsedMB) as avgUsedMB, max(memorySizeMB) as sizeMB by @log",
] as const;
