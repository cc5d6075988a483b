/** The hourly roll-up function's environment. */
import { ENV } from "../bindings/environment.js";
import { DEFAULT_TIME_ZONE, isTimeZone } from "../core/daily.js";
import type { SensorRegistry } from "../core/sensor.js";
import * as z from "../core/zod.js";
import {
  type AlertConfig,
  type BundledData,
  functionEnvSchema,
  parseStoreEnvironment,
  readAlertConfig,
  requiredText,
  requireRegistry,
  type StoreTarget,
} from "./environment.js";

const hourlyRollupEnvSchema = z.extend(functionEnvSchema, {
  [ENV.measurementsTable]: requiredText,
  /** Timestream's hourly_aggregates table, or DynamoDB's aggregates table. */
  [ENV.hourlyAggregatesTable]: requiredText,
  /** The stage's time zone; Africa/Dakar when unset. */
  [ENV.lateHoursQueueUrl]: z.optional(requiredText),
  [ENV.zoneRollupFunction]: z.optional(requiredText),
  [ENV.timeZone]: z.optional(z.string().check(z.refine(isTimeZone, "must be an IANA time zone name"))),
});

export interface HourlyRollupConfig {
  readonly stage: string;
  readonly registry: SensorRegistry;
  readonly store: StoreTarget;
  readonly measurementsTable: string;
  readonly hourlyAggregatesTable: string;
  readonly alerts: AlertConfig;
  readonly timeZone: string;
  /** The late hours' queue and the zone roll-up to start after them; both or neither. */
  readonly lateData?: { readonly queueUrl: string; readonly zoneRollupFunction: string };
  readonly iotDataEndpoint?: string;
}

/** The environment (names and ARNs) and what the function was bundled with (the registry, the alert rules). */
export function readHourlyRollupConfig(env: NodeJS.ProcessEnv, bundled: BundledData): HourlyRollupConfig {
  const { vars, store } = parseStoreEnvironment(hourlyRollupEnvSchema, env, "hourly roll-up");
  const queueUrl = vars[ENV.lateHoursQueueUrl];
  const zoneRollupFunction = vars[ENV.zoneRollupFunction];
  if ((queueUrl === undefined) !== (zoneRollupFunction === undefined)) {
    throw new Error(
      `hourly roll-up environment is invalid: ${ENV.lateHoursQueueUrl} and ${ENV.zoneRollupFunction} go together`,
    );
  }
  return {
    stage: vars[ENV.stage],
    registry: requireRegistry(bundled, "the hourly roll-up"),
    store,
    measurementsTable: vars[ENV.measurementsTable],
    hourlyAggregatesTable: vars[ENV.hourlyAggregatesTable],
    alerts: readAlertConfig(env, bundled.alertRules ?? []),
    timeZone: vars[ENV.timeZone] ?? DEFAULT_TIME_ZONE,
    ...(queueUrl === undefined || zoneRollupFunction === undefined
      ? {}
      : { lateData: { queueUrl, zoneRollupFunction } }),
    ...(vars[ENV.iotDataEndpoint] === undefined ? {} : { iotDataEndpoint: vars[ENV.iotDataEndpoint] }),
  };
}
