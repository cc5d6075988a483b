/** The ingest function's environment, checked once at cold start. */
import * as z from "../core/schema.js";
import { parseRegistry, type SensorRegistry } from "../core/sensor.js";
import { ENV } from "../env-keys.js";

const DAY_MS = 86_400_000;

const nonEmpty = z.string().check(z.minLength(1));

const ingestEnvSchema = z.object({
  [ENV.stage]: nonEmpty,
  [ENV.sensorRegistry]: nonEmpty,
  [ENV.timestreamDatabase]: nonEmpty,
  [ENV.measurementsTable]: nonEmpty,
  [ENV.quarantineBucket]: nonEmpty,
  [ENV.maxReadingAgeDays]: z.pipe(z.coerce.number(), z.int().check(z.positive())),
  [ENV.iotDataEndpoint]: z.optional(z.url()),
});

export interface IngestConfig {
  readonly stage: string;
  readonly registry: SensorRegistry;
  readonly database: string;
  readonly table: string;
  readonly quarantineBucket: string;
  readonly maxReadingAgeMs: number;
  /** Unset outside AWS: the IoT client then keeps the SDK's endpoint resolution. */
  readonly iotDataEndpoint?: string;
}

/** Throws one error naming every missing or invalid variable. */
export function readIngestConfig(env: NodeJS.ProcessEnv): IngestConfig {
  const parsed = ingestEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`ingest function environment is invalid:\n${z.prettifyError(parsed.error)}`);
  }
  const vars = parsed.data;
  return {
    stage: vars[ENV.stage],
    registry: parseRegistryVariable(vars[ENV.sensorRegistry]),
    database: vars[ENV.timestreamDatabase],
    table: vars[ENV.measurementsTable],
    quarantineBucket: vars[ENV.quarantineBucket],
    maxReadingAgeMs: vars[ENV.maxReadingAgeDays] * DAY_MS,
    iotDataEndpoint: vars[ENV.iotDataEndpoint],
  };
}

function parseRegistryVariable(json: string): SensorRegistry {
  try {
    return parseRegistry(JSON.parse(json));
  } catch (error) {
    throw new Error(`${ENV.sensorRegistry} is not a valid sensor registry JSON array: ${String(error)}`);
  }
}
