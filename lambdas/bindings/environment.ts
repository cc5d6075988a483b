/**
 * The environment variables the stack sets and the entries read: names and ARNs only, so that
 * neither side hand-types the other's strings.
 */
export const ENV = {
  stage: "STAGE",
  /** `timestream` (when unset) or `dynamodb` (lambdas/bindings/stores.ts). */
  store: "STORE",
  /** JSON array of sensors (lambdas/core/sensor.ts). */
  sensorRegistry: "SENSOR_REGISTRY",
  /** JSON array of alert rules (lambdas/core/alerts.ts). */
  alertRules: "ALERT_RULES",
  timestreamDatabase: "TIMESTREAM_DATABASE",
  /** The readings: a Timestream table of TIMESTREAM_DATABASE, or a DynamoDB table. */
  measurementsTable: "MEASUREMENTS_TABLE",
  hourlyAggregatesTable: "HOURLY_AGGREGATES_TABLE",
  /** In DynamoDB, HOURLY_ and ZONE_AGGREGATES_TABLE both name the one aggregates table. */
  zoneAggregatesTable: "ZONE_AGGREGATES_TABLE",
  quarantineBucket: "QUARANTINE_BUCKET",
  alertsTopicArn: "ALERTS_TOPIC_ARN",
  /** Oldest reading the store accepts, in days (the magnetic store retention). */
  maxReadingAgeDays: "MAX_READING_AGE_DAYS",
  /** `https://` URL of the account's IoT data endpoint with an Amazon Trust Services certificate (iot:Data-ATS). */
  iotDataEndpoint: "IOT_DATA_ENDPOINT",
} as const;

export type EnvKey = (typeof ENV)[keyof typeof ENV];
