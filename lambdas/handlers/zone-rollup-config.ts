/** The zone roll-up function's environment. */
import { ENV } from "../bindings/environment.js";
import * as z from "../core/zod.js";
import { functionEnvSchema, parseEnvironment, requiredText } from "./environment.js";

const zoneRollupEnvSchema = z.extend(functionEnvSchema, {
  [ENV.hourlyAggregatesTable]: requiredText,
  [ENV.zoneAggregatesTable]: requiredText,
});

export interface ZoneRollupConfig {
  readonly stage: string;
  readonly database: string;
  readonly hourlyAggregatesTable: string;
  readonly zoneAggregatesTable: string;
  readonly iotDataEndpoint?: string;
}

export function readZoneRollupConfig(env: NodeJS.ProcessEnv): ZoneRollupConfig {
  const vars = parseEnvironment(zoneRollupEnvSchema, env, "zone roll-up");
  return {
    stage: vars[ENV.stage],
    database: vars[ENV.timestreamDatabase],
    hourlyAggregatesTable: vars[ENV.hourlyAggregatesTable],
    zoneAggregatesTable: vars[ENV.zoneAggregatesTable],
    ...(vars[ENV.iotDataEndpoint] === undefined ? {} : { iotDataEndpoint: vars[ENV.iotDataEndpoint] }),
  };
}
