/**
 * The environment a deployed function starts with (the house construct's settings plus every
 * variable the entries read), offline: fake credentials, and endpoints only where a caller says.
 */
import { ENV } from "../../lambdas/env-keys.js";
import { METRICS_NAMESPACE, METRICS_SERVICE } from "../../lambdas/metric-names.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { loadStagesFromCdkJson } from "../../lib/config/stages.js";

export function lambdaEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const dev = loadStagesFromCdkJson().dev;
  return {
    PATH: process.env.PATH,
    NODE_OPTIONS: "--enable-source-maps",
    NODE_NO_WARNINGS: "1",
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: "ERROR",
    [ENV.stage]: "bench",
    [ENV.sensorRegistry]: JSON.stringify(SENSORS),
    [ENV.alertRules]: JSON.stringify(dev.alertRules),
    [ENV.timestreamDatabase]: "kaikai-bench",
    [ENV.measurementsTable]: "measurements",
    [ENV.hourlyAggregatesTable]: "hourly_aggregates",
    [ENV.zoneAggregatesTable]: "zone_aggregates",
    [ENV.quarantineBucket]: "kaikai-bench-quarantine",
    [ENV.alertsTopicArn]: "arn:aws:sns:eu-west-1:123456789012:kaikai-bench-alerts",
    [ENV.maxReadingAgeDays]: String(dev.magneticRetentionDays),
    ...extra,
  };
}
