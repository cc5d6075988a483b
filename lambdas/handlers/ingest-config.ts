/** The ingest function's environment. */
import { ENV } from "../bindings/environment.js";
import type { SensorRegistry } from "../core/sensor.js";
import { DAY_MS } from "../core/time.js";
import * as z from "../core/zod.js";
import {
  type AlertConfig,
  type BundledData,
  functionEnvSchema,
  parseStoreEnvironment,
  readOptionalAlertConfig,
  requiredText,
  requireRegistry,
  type StoreTarget,
} from "./environment.js";

const ingestEnvSchema = z.extend(functionEnvSchema, {
  [ENV.measurementsTable]: requiredText,
  [ENV.quarantineBucket]: requiredText,
  [ENV.maxReadingAgeDays]: z.pipe(z.coerce.number(), z.int().check(z.positive())),
  [ENV.lateHoursQueueUrl]: z.optional(requiredText),
});

export interface IngestConfig {
  readonly stage: string;
  readonly registry: SensorRegistry;
  readonly store: StoreTarget;
  /** The readings' table: a Timestream table of the store's database, or a DynamoDB table. */
  readonly table: string;
  readonly quarantineBucket: string;
  /** Oldest reading the store accepts, as an age; in DynamoDB also how long an item is kept. */
  readonly maxReadingAgeMs: number;
  /** Unset outside AWS: the IoT client then keeps the SDK's endpoint resolution. */
  readonly iotDataEndpoint?: string;
  /** The per-reading alert rules and their topic; none on a stage without them. */
  readonly alerts?: AlertConfig;
  /** Where the hours of late readings are noted for the next hourly roll-up. */
  readonly lateHoursQueueUrl?: string;
}

/** The environment (names and ARNs) and what the function was bundled with (the registry, the alert rules). */
export function readIngestConfig(env: NodeJS.ProcessEnv, bundled: BundledData): IngestConfig {
  const { vars, store } = parseStoreEnvironment(ingestEnvSchema, env, "ingest function");
  const alerts = readOptionalAlertConfig(env, bundled);
  return {
    stage: vars[ENV.stage],
    registry: requireRegistry(bundled, "the ingest function"),
    store,
    table: vars[ENV.measurementsTable],
    quarantineBucket: vars[ENV.quarantineBucket],
    maxReadingAgeMs: vars[ENV.maxReadingAgeDays] * DAY_MS,
    ...(vars[ENV.iotDataEndpoint] === undefined ? {} : { iotDataEndpoint: vars[ENV.iotDataEndpoint] }),
    ...(alerts === undefined ? {} : { alerts }),
    ...(vars[ENV.lateHoursQueueUrl] === undefined ? {} : { lateHoursQueueUrl: vars[ENV.lateHoursQueueUrl] }),
  };
}
