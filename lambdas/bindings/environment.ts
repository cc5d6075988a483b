/**
 * The environment variables the stack sets and the entries read: names and ARNs only (the
 * registry and the alert rules are bundled, lambdas/bindings/bundled-config.ts), so that neither
 * side hand-types the other's strings.
 */
export const ENV = {
  stage: "STAGE",
  /** `timestream` (when unset) or `dynamodb` (lambdas/bindings/stores.ts). */
  store: "STORE",
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
  /** The language of alert texts: `en` or `fr` (the stage's alertLanguage). */
  alertLanguage: "ALERT_LANGUAGE",
  /** The IANA time zone of the stage's local days (its timeZone). */
  timeZone: "TIME_ZONE",
  /** The SQS queue ingest notes late hours on and the hourly roll-up takes them from. */
  lateHoursQueueUrl: "LATE_HOURS_QUEUE_URL",
  /** The zone roll-up function, which the hourly roll-up starts after rolling late hours up again. */
  zoneRollupFunction: "ZONE_ROLLUP_FUNCTION",
  /** `https://` URL of the account's IoT data endpoint with an Amazon Trust Services certificate (iot:Data-ATS). */
  iotDataEndpoint: "IOT_DATA_ENDPOINT",
} as const;

export type EnvKey = (typeof ENV)[keyof typeof ENV];
