/**
 * The environment a deployed function starts with (what the house construct gave the bundle, plus
 * the variables the stack adds for the entries), offline: fake credentials, and endpoints only
 * where a caller says.
 */
import type { BundledConfig } from "../../lambdas/bindings/bundled-config.js";
import { ENV } from "../../lambdas/bindings/environment.js";
import { registryEntryOf } from "../../lambdas/core/sensor.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { loadStagesFromCdkJson, maxReadingAgeMs } from "../../lib/config/stages.js";
import type { BuiltBundle } from "./bundles.js";

const dev = loadStagesFromCdkJson().dev;

/** What the stack bundles into the ingest and hourly roll-up functions: the registry and the dev stage's rules. */
export const BENCH_BUNDLED_CONFIG: BundledConfig = {
  registry: SENSORS.map(registryEntryOf),
  alertRules: dev.alertRules,
};

/** The oldest reading the ingest function accepts: the stack sets it to the magnetic store's retention. */
export const MAX_READING_AGE_MS = maxReadingAgeMs(dev);

export function lambdaEnvironment(bundle: BuiltBundle, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_NO_WARNINGS: "1",
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    ...bundle.environment,
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
