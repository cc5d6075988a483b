/**
 * The pipeline's health checks by name: each is a CloudWatch alarm of the stack
 * (`kaikai-<stage>-<id>`, lib/constructs/observability.ts) and a check of `kaikai report health`
 * on the local database (local/health.ts), so that an operator reads the same names in both homes.
 */
export const PIPELINE_ALARMS = {
  rejectShare: "reject-share",
  noReadingStored: "no-reading-stored",
  activeSensorsLow: "active-sensors-low",
  hourlyRollupMissed: "hourly-rollup-missed",
  zoneRollupMissed: "zone-rollup-missed",
} as const;
export type PipelineAlarm = (typeof PIPELINE_ALARMS)[keyof typeof PIPELINE_ALARMS];
