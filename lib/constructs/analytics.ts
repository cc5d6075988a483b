import { Duration, Stack, TimeZone, Validations } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { Schedule, ScheduleExpression } from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { BundledConfig } from "../../lambdas/bindings/bundled-config.js";
import { FUNCTION_ENTRIES } from "../../lambdas/bindings/entries.js";
import { ENV } from "../../lambdas/bindings/environment.js";
import { kaikaiQueueName, REDRIVABLE_QUEUES } from "../../lambdas/bindings/resources.js";
import { DAILY_AGGREGATES_TOPIC, HOURLY_AGGREGATES_TOPIC, ZONE_AGGREGATES_TOPIC } from "../../lambdas/core/topics.js";
import { acknowledgeWildcard, arnWildcardFinding } from "../nag.js";
import { ANALYTICS_DEFAULTS } from "./analytics-defaults.js";
import { KaikaiFunction, type KaikaiFunctionProps } from "./kaikai-function.js";
import type { StoreTables } from "./store-tables.js";

export interface AnalyticsProps {
  /** Settings shared by every function of the stage (stage, log retention, removal policy). */
  readonly functionDefaults: Pick<KaikaiFunctionProps, "stage" | "logRetention" | "logRemovalPolicy">;
  /** The stage's store: the hourly roll-up reads its readings, both write and read its aggregates. */
  readonly store: StoreTables;
  /** The registry and the alert rules, bundled into the hourly roll-up's code. */
  readonly hourlyRollupConfig: BundledConfig;
  /** Key of the schedules' dead-letter queue. */
  readonly encryptionKey: IKey;
  /** @default ANALYTICS_DEFAULTS.hourlyRollupCron, `cron(5 * * * ? *)` UTC */
  readonly hourlyRollupCron?: string;
  /** @default ANALYTICS_DEFAULTS.zoneRollupCron, `cron(10 * * * ? *)` UTC */
  readonly zoneRollupCron?: string;
  /** Scheduler retries of a failed invocation. @default ANALYTICS_DEFAULTS.retryAttempts (3) */
  readonly retryAttempts?: number;
  /**
   * Lambda's retries of a roll-up run that failed, before it goes to the failure queue (0 to 2).
   * @default ANALYTICS_DEFAULTS.asyncRetryAttempts (2)
   */
  readonly asyncRetryAttempts?: number;
  /** Age after which the scheduler stops retrying and dead-letters. @default ANALYTICS_DEFAULTS.maxEventAge (1 hour) */
  readonly maxEventAge?: Duration;
  /** @default ANALYTICS_DEFAULTS.timeout (2 minutes) */
  readonly timeout?: Duration;
  /** @default ANALYTICS_DEFAULTS.memorySizeMb (512) */
  readonly memorySizeMb?: number;
}

/**
 * The scheduled roll-ups: per sensor and hour from the measurements, then per zone from those,
 * each invoked hourly by EventBridge Scheduler with retries and a dead-letter queue.
 */
export class Analytics extends Construct {
  public readonly hourlyRollupFunction: KaikaiFunction;
  public readonly zoneRollupFunction: KaikaiFunction;
  public readonly hourlySchedule: Schedule;
  public readonly zoneSchedule: Schedule;
  public readonly scheduleDeadLetterQueue: Queue;
  /**
   * Where a roll-up run that failed goes once Lambda's retries are spent: the schedules invoke the
   * functions asynchronously, so a run that throws is never the Scheduler's failure.
   */
  public readonly rollupFailureQueue: Queue;
  /** Where ingest notes the hours of late readings; the scheduled hourly roll-up takes them. */
  public readonly lateHoursQueue: Queue;
  public readonly lateHoursDeadLetterQueue: Queue;
  public readonly schedulerRole: Role;

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    const functionProps = {
      ...props.functionDefaults,
      timeout: props.timeout ?? ANALYTICS_DEFAULTS.timeout,
      memorySizeMb: props.memorySizeMb ?? ANALYTICS_DEFAULTS.memorySizeMb,
    };

    this.hourlyRollupFunction = new KaikaiFunction(this, "HourlyRollup", {
      ...functionProps,
      bundledConfig: props.hourlyRollupConfig,
      entry: FUNCTION_ENTRIES.hourlyRollup,
      label: "hourly-rollup",
      purpose: "Rolls readings up per sensor and hour; raises hourly alerts",
    }).allowIotPublish([HOURLY_AGGREGATES_TOPIC, DAILY_AGGREGATES_TOPIC]);
    props.store.bindReadings(this.hourlyRollupFunction, "query");
    props.store.bindHourlyAggregates(this.hourlyRollupFunction, "write");
    // The NowCast of an hour weighs the 11 hours rolled up before it.
    props.store.bindHourlyAggregates(this.hourlyRollupFunction, "query");

    this.zoneRollupFunction = new KaikaiFunction(this, "ZoneRollup", {
      ...functionProps,
      entry: FUNCTION_ENTRIES.zoneRollup,
      label: "zone-rollup",
      purpose: "Rolls hourly aggregates up per zone: weighted means, ranking, evaluation, AQI",
    }).allowIotPublish([ZONE_AGGREGATES_TOPIC]);
    props.store.bindHourlyAggregates(this.zoneRollupFunction, "query");
    props.store.bindZoneAggregates(this.zoneRollupFunction, "write");

    // Late hours wait for the next scheduled run; one the roll-up fails on comes back after the
    // visibility timeout, and after 5 failed runs goes to the dead-letter queue, where
    // `kaikai rollup --since` is the way to roll it up.
    const encryptedQueue = {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    };
    const deadLetterQueue = (id: string, of: string, queueName?: string): Queue => {
      const queue = new Queue(this, id, { ...encryptedQueue, ...(queueName === undefined ? {} : { queueName }) });
      Validations.of(queue).acknowledge({
        id: "AwsSolutions-SQS3",
        reason: `This queue is the ${of}'s dead-letter queue, not a work queue.`,
      });
      return queue;
    };
    const { stage } = props.functionDefaults;
    this.lateHoursDeadLetterQueue = deadLetterQueue(
      "LateHoursDeadLetterQueue",
      "late hours queue",
      kaikaiQueueName(stage, REDRIVABLE_QUEUES["late-hours"].deadLetterQueue),
    );
    this.lateHoursQueue = new Queue(this, "LateHours", {
      ...encryptedQueue,
      queueName: kaikaiQueueName(stage, REDRIVABLE_QUEUES["late-hours"].source),
      visibilityTimeout: (props.timeout ?? ANALYTICS_DEFAULTS.timeout).plus(Duration.minutes(1)),
      deadLetterQueue: { queue: this.lateHoursDeadLetterQueue, maxReceiveCount: 5 },
    });
    this.hourlyRollupFunction
      .bindQueue(ENV.lateHoursQueueUrl, this.lateHoursQueue, "consume")
      .allowInvoke(ENV.zoneRollupFunction, this.zoneRollupFunction);

    this.scheduleDeadLetterQueue = deadLetterQueue("ScheduleDeadLetterQueue", "schedules (Scheduler DeadLetterConfig)");
    this.rollupFailureQueue = deadLetterQueue(
      "RollupFailureQueue",
      "roll-ups' asynchronous invocations (on-failure destination)",
    );
    for (const fn of [this.hourlyRollupFunction, this.zoneRollupFunction]) {
      fn.sendFailuresTo(this.rollupFailureQueue, props.asyncRetryAttempts ?? ANALYTICS_DEFAULTS.asyncRetryAttempts);
    }

    const stack = Stack.of(this);
    this.schedulerRole = new Role(this, "SchedulerRole", {
      assumedBy: new ServicePrincipal("scheduler.amazonaws.com", {
        conditions: { StringEquals: { "aws:SourceAccount": stack.account } },
      }),
      description: "Lets the roll-up schedules invoke the two roll-up functions and dead-letter what fails",
    });
    this.schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [props.encryptionKey.keyArn] }),
    );

    const targetOptions = {
      role: this.schedulerRole,
      deadLetterQueue: this.scheduleDeadLetterQueue,
      retryAttempts: props.retryAttempts ?? ANALYTICS_DEFAULTS.retryAttempts,
      maxEventAge: props.maxEventAge ?? ANALYTICS_DEFAULTS.maxEventAge,
    };
    this.hourlySchedule = new Schedule(this, "HourlyRollupSchedule", {
      description: "Hourly roll-up of the last complete hour (and the late data of the hours before)",
      schedule: ScheduleExpression.expression(
        props.hourlyRollupCron ?? ANALYTICS_DEFAULTS.hourlyRollupCron,
        TimeZone.ETC_UTC,
      ),
      target: new LambdaInvoke(this.hourlyRollupFunction.lambda, targetOptions),
    });
    this.zoneSchedule = new Schedule(this, "ZoneRollupSchedule", {
      description: "Zone roll-up of the last complete hour, after the hourly roll-up",
      schedule: ScheduleExpression.expression(
        props.zoneRollupCron ?? ANALYTICS_DEFAULTS.zoneRollupCron,
        TimeZone.ETC_UTC,
      ),
      target: new LambdaInvoke(this.zoneRollupFunction.lambda, targetOptions),
    });

    for (const fn of [this.hourlyRollupFunction, this.zoneRollupFunction]) {
      acknowledgeWildcard(
        this.schedulerRole,
        arnWildcardFinding(fn.lambda, ":*"),
        "CDK's grantInvoke adds the function's own versions and aliases (`<arn>:*`) beside its ARN; nothing else.",
      );
    }
  }
}
