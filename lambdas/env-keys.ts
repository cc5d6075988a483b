/**
 * Names shared by the stack that sets the functions' environment and the entries that read it,
 * so that neither side hand-types the other's strings.
 */
export const ENV = {
  stage: "STAGE",
  /** JSON array of sensors (lambdas/core/sensor.ts). */
  sensorRegistry: "SENSOR_REGISTRY",
  /** JSON array of alert rules (lambdas/core/alert-rules.ts). */
  alertRules: "ALERT_RULES",
  timestreamDatabase: "TIMESTREAM_DATABASE",
  measurementsTable: "MEASUREMENTS_TABLE",
  hourlyAggregatesTable: "HOURLY_AGGREGATES_TABLE",
  zoneAggregatesTable: "ZONE_AGGREGATES_TABLE",
  quarantineBucket: "QUARANTINE_BUCKET",
  alertsTopicArn: "ALERTS_TOPIC_ARN",
  /** Oldest reading the store accepts, in days (the magnetic store retention). */
  maxReadingAgeDays: "MAX_READING_AGE_DAYS",
  /** `https://` URL of the account's IoT data endpoint with an Amazon Trust Services certificate (iot:Data-ATS). */
  iotDataEndpoint: "IOT_DATA_ENDPOINT",
} as const;

export const TABLES = {
  measurements: "measurements",
  hourlyAggregates: "hourly_aggregates",
  zoneAggregates: "zone_aggregates",
} as const;

/** Timestream multi-measure record name of a reading. */
export const READING_MEASURE_NAME = "air_quality";

/** Key prefix of quarantined readings in the quarantine bucket: the stack grants writes under it only. */
export const QUARANTINE_PREFIX = "quarantine/";

/** Named device shadow that holds a sensor's alert state. */
export const ALERT_SHADOW_NAME = "alert-state";

/** Entry files of the functions, relative to the repository root; lib/ points CDK at these. */
export const FUNCTION_ENTRIES = {
  ingest: "lambdas/handlers/ingest.lambda.ts",
  hourlyRollup: "lambdas/handlers/hourly-rollup.lambda.ts",
  zoneRollup: "lambdas/handlers/zone-rollup.lambda.ts",
} as const;
