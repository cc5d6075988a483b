/** The zone roll-up function's environment. */
import { ENV } from "../bindings/environment.js";
import * as z from "../core/zod.js";
import { functionEnvSchema, parseStoreEnvironment, requiredText, type StoreTarget } from "./environment.js";

const zoneRollupEnvSchema = z.extend(functionEnvSchema, {
  /** Timestream's tables of each roll-up; in DynamoDB both name the one aggregates table. */
  [ENV.hourlyAggregatesTable]: requiredText,
  [ENV.zoneAggregatesTable]: requiredText,
});

export interface ZoneRollupConfig {
  readonly stage: string;
  readonly store: StoreTarget;
  readonly hourlyAggregatesTable: string;
  readonly zoneAggregatesTable: string;
  readonly iotDataEndpoint?: string;
}

export function readZoneRollupConfig(env: NodeJS.ProcessEnv): ZoneRollupConfig {
  const { vars, store } = parseStoreEnvironment(zoneRollupEnvSchema, env, "zone roll-up");
  return {
    stage: vars[ENV.stage],
    store,
    hourlyAggregatesTable: vars[ENV.hourlyAggregatesTable],
    zoneAggregatesTable: vars[ENV.zoneAggregatesTable],
    ...(vars[ENV.iotDataEndpoint] === undefined ? {} : { iotDataEndpoint: vars[ENV.iotDataEndpoint] }),
  };
}
