/** The hourly roll-up function's environment. */
import { ENV } from "../bindings/environment.js";
import type { SensorRegistry } from "../core/sensor.js";
import * as z from "../core/zod.js";
import {
  type AlertConfig,
  functionEnvSchema,
  parseEnvironment,
  parseRegistryVariable,
  readAlertConfig,
  requiredText,
} from "./environment.js";

const hourlyRollupEnvSchema = z.extend(functionEnvSchema, {
  [ENV.sensorRegistry]: requiredText,
  [ENV.measurementsTable]: requiredText,
  [ENV.hourlyAggregatesTable]: requiredText,
});

export interface HourlyRollupConfig {
  readonly stage: string;
  readonly registry: SensorRegistry;
  readonly database: string;
  readonly measurementsTable: string;
  readonly hourlyAggregatesTable: string;
  readonly alerts: AlertConfig;
  readonly iotDataEndpoint?: string;
}

export function readHourlyRollupConfig(env: NodeJS.ProcessEnv): HourlyRollupConfig {
  const vars = parseEnvironment(hourlyRollupEnvSchema, env, "hourly roll-up");
  return {
    stage: vars[ENV.stage],
    registry: parseRegistryVariable(vars[ENV.sensorRegistry]),
    database: vars[ENV.timestreamDatabase],
    measurementsTable: vars[ENV.measurementsTable],
    hourlyAggregatesTable: vars[ENV.hourlyAggregatesTable],
    alerts: readAlertConfig(env),
    ...(vars[ENV.iotDataEndpoint] === undefined ? {} : { iotDataEndpoint: vars[ENV.iotDataEndpoint] }),
  };
}
