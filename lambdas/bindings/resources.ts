/**
 * Names of the resources the stack creates and the functions use by name: tables, key prefixes,
 * the named shadow. The stack grants access to exactly these.
 */
export const TABLES = {
  measurements: "measurements",
  hourlyAggregates: "hourly_aggregates",
  zoneAggregates: "zone_aggregates",
} as const;

/** Key prefix of quarantined readings in the quarantine bucket: the stack grants writes under it only. */
export const QUARANTINE_PREFIX = "quarantine/";

/** Named device shadow that holds a sensor's alert state. */
export const ALERT_SHADOW_NAME = "alert-state";

/** The IoT policy every sensor certificate gets: connect as its own thing, publish its own telemetry. */
export const sensorPolicyName = (stage: string): string => `kaikai-${stage}-sensor`;

/** The thing group of a stage's sensors, which the stack owns and `kaikai fleet` fills. */
export const sensorThingGroupName = (stage: string): string => `kaikai-${stage}-sensors`;

/**
 * A function's name in a stage (`kaikai-dev-hourly-rollup`): fixed, so that `kaikai rollup
 * --stage` can invoke the roll-ups by name.
 */
export const kaikaiFunctionName = (stage: string, label: string): string => `kaikai-${stage}-${label}`;

/**
 * A queue's name in a stage (`kaikai-dev-ingest-dlq`): fixed, so that `kaikai dlq redrive --stage`
 * finds it by name, as `kaikai rollup --stage` finds the functions.
 */
export const kaikaiQueueName = (stage: string, label: string): string => `kaikai-${stage}-${label}`;

/** The dead-letter queues whose messages can go back to the queue they came from, by the CLI's name for them. */
export const REDRIVABLE_QUEUES = {
  ingest: { deadLetterQueue: "ingest-dlq", source: "ingest-buffer" },
  "late-hours": { deadLetterQueue: "late-hours-dlq", source: "late-hours" },
} as const;
export type RedrivableQueue = keyof typeof REDRIVABLE_QUEUES;
