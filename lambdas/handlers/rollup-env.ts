/** The environments of the roll-up functions and of alerting, checked once at cold start. */
import { type AlertRule, alertRulesSchema } from "../core/alert-rules.js";
import * as z from "../core/schema.js";
import { parseRegistry, type SensorRegistry } from "../core/sensor.js";
import { ENV } from "../env-keys.js";

function parseEnv<T extends z.ZodMiniType>(schema: T, env: NodeJS.ProcessEnv, what: string): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new Error(`${what} environment is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function parseJsonVariable<T>(name: string, json: string, parse: (value: unknown) => T): T {
  try {
    return parse(JSON.parse(json));
  } catch (error) {
    throw new Error(`${name} is not valid: ${String(error)}`);
  }
}

const name = z.string().check(z.minLength(1));
/** IOT_DATA_ENDPOINT: unset outside AWS, where the IoT client keeps the SDK's endpoint resolution. */
const iotDataEndpoint = z.optional(z.url());

export interface AlertConfig {
  readonly rules: readonly AlertRule[];
  readonly topicArn: string;
}

/** ALERT_RULES (JSON array of rules) and ALERTS_TOPIC_ARN. */
export function readAlertConfig(env: NodeJS.ProcessEnv): AlertConfig {
  const vars = parseEnv(z.object({ [ENV.alertRules]: name, [ENV.alertsTopicArn]: name }), env, "alerting");
  return {
    rules: parseJsonVariable(ENV.alertRules, vars[ENV.alertRules], (value) => alertRulesSchema.parse(value)),
    topicArn: vars[ENV.alertsTopicArn],
  };
}

/**
 * Alerting of the ingest function: none when ALERT_RULES is unset (a stage without per-reading
 * rules); otherwise both variables must be valid.
 */
export function readOptionalAlertConfig(env: NodeJS.ProcessEnv): AlertConfig | undefined {
  return env[ENV.alertRules] === undefined ? undefined : readAlertConfig(env);
}

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
  const vars = parseEnv(
    z.object({
      [ENV.stage]: name,
      [ENV.sensorRegistry]: name,
      [ENV.timestreamDatabase]: name,
      [ENV.measurementsTable]: name,
      [ENV.hourlyAggregatesTable]: name,
      [ENV.iotDataEndpoint]: iotDataEndpoint,
    }),
    env,
    "hourly roll-up",
  );
  return {
    stage: vars[ENV.stage],
    registry: parseJsonVariable(ENV.sensorRegistry, vars[ENV.sensorRegistry], parseRegistry),
    database: vars[ENV.timestreamDatabase],
    measurementsTable: vars[ENV.measurementsTable],
    hourlyAggregatesTable: vars[ENV.hourlyAggregatesTable],
    alerts: readAlertConfig(env),
    iotDataEndpoint: vars[ENV.iotDataEndpoint],
  };
}

export interface ZoneRollupConfig {
  readonly stage: string;
  readonly database: string;
  readonly hourlyAggregatesTable: string;
  readonly zoneAggregatesTable: string;
  readonly iotDataEndpoint?: string;
}

export function readZoneRollupConfig(env: NodeJS.ProcessEnv): ZoneRollupConfig {
  const vars = parseEnv(
    z.object({
      [ENV.stage]: name,
      [ENV.timestreamDatabase]: name,
      [ENV.hourlyAggregatesTable]: name,
      [ENV.zoneAggregatesTable]: name,
      [ENV.iotDataEndpoint]: iotDataEndpoint,
    }),
    env,
    "zone roll-up",
  );
  return {
    stage: vars[ENV.stage],
    database: vars[ENV.timestreamDatabase],
    hourlyAggregatesTable: vars[ENV.hourlyAggregatesTable],
    zoneAggregatesTable: vars[ENV.zoneAggregatesTable],
    iotDataEndpoint: vars[ENV.iotDataEndpoint],
  };
}
