import { CfnOutput, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { ENV } from "../lambdas/bindings/environment.js";
import { ALERT_SHADOW_NAME } from "../lambdas/bindings/resources.js";
import { parseSensors, registryEntryOf, type Sensor } from "../lambdas/core/sensor.js";
import { isoDateOf } from "../lambdas/core/time.js";
import { alertTopic } from "../lambdas/core/topics.js";
import { STAGES_CONTEXT_KEY, type StageConfig, type StageName } from "./config/stages.js";
import { Alerting } from "./constructs/alerting.js";
import { Analytics } from "./constructs/analytics.js";
import { Fleet } from "./constructs/fleet.js";
import { Ingestion } from "./constructs/ingestion.js";
import { IotDataEndpoint } from "./constructs/iot-data-endpoint.js";
import type { KaikaiFunction } from "./constructs/kaikai-function.js";
import { Observability } from "./constructs/observability.js";
import { Storage } from "./constructs/storage.js";

export interface KaikaiStackProps extends StackProps {
  readonly stage: StageName;
  readonly config: StageConfig;
  /** The sensor registry; validated again here so a bad list fails the synth with its path. */
  readonly sensors: readonly Sensor[];
}

/**
 * One stage of the pipeline. Each part is a construct with its resources public, so that later
 * parts (the observability construct: dashboard and alarms) are added here and read them.
 */
export class KaikaiStack extends Stack {
  public readonly stage: StageName;
  public readonly config: StageConfig;
  public readonly sensors: readonly Sensor[];
  public readonly storage: Storage;
  public readonly alerting: Alerting;
  public readonly fleet: Fleet;
  public readonly ingestion: Ingestion;
  public readonly analytics: Analytics;
  /** Every function of the stage, for alarms that apply to all of them. */
  public readonly functions: readonly KaikaiFunction[];
  /** The account's IoT data (ATS) endpoint, which every function publishes or reads shadows through. */
  public readonly iotDataEndpoint: IotDataEndpoint;
  /** The ops topic, the stage's dashboard and its alarms. */
  public readonly observability: Observability;

  constructor(scope: Construct, id: string, props: KaikaiStackProps) {
    super(scope, id, props);
    this.stage = props.stage;
    this.config = props.config;
    this.sensors = parseSensorsAgain(props.sensors);
    const { config, stage } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const functionDefaults = {
      stage,
      logRetention: toRetentionDays(config.logRetentionDays, `${STAGES_CONTEXT_KEY}.${stage}.logRetentionDays`),
      logRemovalPolicy: removalPolicy,
    };

    this.storage = new Storage(this, "Storage", {
      store: config.store,
      databaseName: `kaikai_${stage}`,
      memoryRetentionHours: config.memoryRetentionHours,
      magneticRetentionDays: config.magneticRetentionDays,
      quarantineExpirationDays: config.quarantineExpirationDays,
      retainData: config.retainData,
    });
    this.alerting = new Alerting(this, "Alerting", {
      stage,
      alertEmails: config.alertEmails,
      keyRemovalPolicy: removalPolicy,
    });
    this.fleet = new Fleet(this, "Fleet", { stage });

    // Readings are enriched from the registry and checked against the alert rules as they are
    // stored (ingest, `reading` rules) and once rolled up (hourly roll-up, `hourly` and `daily`
    // rules); both are bundled into those two functions' code. The zone roll-up reads the hourly
    // table only.
    const bundledConfig = { registry: this.sensors.map(registryEntryOf), alertRules: config.alertRules };
    this.ingestion = new Ingestion(this, "Ingestion", {
      functionDefaults,
      bundledConfig,
      encryptionKey: this.storage.key,
      quarantineBucket: this.storage.quarantineBucket,
      maxConcurrency: config.ingestMaxConcurrency,
    });
    this.storage.tables.bindReadings(this.ingestion.ingestFunction, "write");
    // Timestream refuses readings older than its magnetic retention; DynamoDB keeps them as long (TTL).
    this.ingestion.ingestFunction.setEnvironment(ENV.maxReadingAgeDays, String(config.magneticRetentionDays));

    this.analytics = new Analytics(this, "Analytics", {
      functionDefaults,
      hourlyRollupConfig: bundledConfig,
      store: this.storage.tables,
      encryptionKey: this.storage.key,
    });

    this.functions = [
      this.ingestion.ingestFunction,
      this.analytics.hourlyRollupFunction,
      this.analytics.zoneRollupFunction,
    ];
    this.iotDataEndpoint = new IotDataEndpoint(this, "IotDataEndpoint", {
      logRetention: functionDefaults.logRetention,
      logRemovalPolicy: removalPolicy,
    });
    for (const fn of this.functions) fn.bindIotDataEndpoint(this.iotDataEndpoint);
    this.analytics.hourlyRollupFunction.setEnvironment(ENV.timeZone, config.timeZone);
    // A reading stored after the scheduled roll-up passed its hour notes that hour for the next run.
    this.ingestion.ingestFunction.bindQueue(ENV.lateHoursQueueUrl, this.analytics.lateHoursQueue, "send");
    for (const fn of [this.ingestion.ingestFunction, this.analytics.hourlyRollupFunction]) {
      fn.setEnvironment(ENV.alertLanguage, config.alertLanguage);
      fn.bindTopic(ENV.alertsTopicArn, this.alerting.alertsTopic)
        .allowIotPublishUnder(
          alertTopic(""),
          "Alert notices go on kaikai/alerts/{sensorId} for whichever sensor they are about, and on no other topic.",
        )
        .allowNamedShadowOfEveryThing(ALERT_SHADOW_NAME);
    }

    // What an operator needs after a deploy: the policy to attach to sensor certificates, and where
    // alerts, rejects and data go.
    new CfnOutput(this, "SensorPolicyName", { value: this.fleet.sensorPolicy.ref });
    new CfnOutput(this, "SensorThingGroupName", { value: this.fleet.thingGroup.ref });
    new CfnOutput(this, "AlertsTopicArn", { value: this.alerting.alertsTopic.topicArn });
    new CfnOutput(this, "QuarantineBucketName", { value: this.storage.quarantineBucket.bucketName });
    const { tables } = this.storage;
    if (tables.kind === "timestream") {
      new CfnOutput(this, "TimestreamDatabaseName", { value: tables.database.ref });
    } else {
      new CfnOutput(this, "ReadingsTableName", { value: tables.readings.tableName });
      new CfnOutput(this, "AggregatesTableName", { value: tables.aggregates.tableName });
    }

    this.observability = new Observability(this, "Observability", {
      stage,
      config,
      functions: Object.fromEntries(this.functions.map((fn) => [fn.label, fn.lambda])),
      queues: { ingest: this.ingestion.queue },
      deadLetterQueues: {
        ingest: this.ingestion.deadLetterQueue,
        schedules: this.analytics.scheduleDeadLetterQueue,
        "late-hours": this.analytics.lateHoursDeadLetterQueue,
        rollups: this.analytics.rollupFailureQueue,
      },
      topicRuleName: this.ingestion.topicRule.ref,
      ...(tables.kind === "dynamodb"
        ? { dynamoDbTables: { readings: tables.readings, aggregates: tables.aggregates } }
        : {}),
      registrySize: this.sensors.length,
    });
  }
}

/** The registry checked again as sensors.json is at load, so that a bad list fails the synth with the entry named. */
function parseSensorsAgain(sensors: readonly Sensor[]): readonly Sensor[] {
  return parseSensors(sensors.map(registryEntryOf), { today: isoDateOf(Date.now()) });
}

const RETENTION_DAYS: readonly RetentionDays[] = Object.values(RetentionDays).filter(
  (value): value is RetentionDays => typeof value === "number",
);

const isRetentionDays = (days: number): days is RetentionDays => RETENTION_DAYS.some((value) => value === days);

/** CloudWatch Logs accepts only a fixed set of retentions; anything else would fail the deploy. */
export function toRetentionDays(days: number, path: string): RetentionDays {
  if (!isRetentionDays(days)) {
    const allowed = RETENTION_DAYS.filter((value) => value > 0).sort((a, b) => a - b);
    throw new Error(`${path}: ${days} is not a CloudWatch Logs retention; use one of ${allowed.join(", ")}`);
  }
  return days;
}
