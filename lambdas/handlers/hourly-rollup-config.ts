/** The hourly roll-up function's environment. */
import { ENV } from "../bindings/environment.js";
import type { SensorRegistry } from "../core/sensor.js";
import * as z from "../core/zod.js";
import {
  type AlertConfig,
  functionEnvSchema,
  parseRegistryVariable,
  parseStoreEnvironment,
  readAlertConfig,
  requiredText,
  type StoreTarget,
} from "./environment.js";

const hourlyRollupEnvSchema = z.extend(functionEnvSchema, {
  [ENV.sensorRegistry]: requiredText,
  [ENV.measurementsTable]: requiredText,
  /** Timestream's hourly_aggregates table, or DynamoDB's aggregates table. */
  [ENV.hourlyAggregatesTable]: requiredText,
});

export interface HourlyRollupConfig {
  readonly stage: string;
  readonly registry: SensorRegistry;
  readonly store: StoreTarget;
  readonly measurementsTable: string;
  readonly hourlyAggregatesTable: string;
  readonly alerts: AlertConfig;
  readonly iotDataEndpoint?: string;
}

export function readHourlyRollupConfig(env: NodeJS.ProcessEnv): HourlyRollupConfig {
  const { vars, store } = parseStoreEnvironment(hourlyRollupEnvSchema, env, "hourly roll-up");
  return {
    stage: vars[ENV.stage],
    registry: parseRegistryVariable(vars[ENV.sensorRegistry]),
    store,
    measurementsTable: vars[ENV.measurementsTable],
    hourlyAggregatesTable: vars[ENV.hourlyAggregatesTable],
    alerts: readAlertConfig(env),
    ...(vars[ENV.iotDataEndpoint] === undefined ? {} : { iotDataEndpoint: vars[ENV.iotDataEndpoint] }),
  };
}
