import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { ENV } from "../../lambdas/bindings/environment.js";
import { TABLES } from "../../lambdas/bindings/resources.js";
import { readHourlyRollupConfig } from "../../lambdas/handlers/hourly-rollup-config.js";
import { readZoneRollupConfig } from "../../lambdas/handlers/zone-rollup-config.js";
import { SENSORS } from "../../lib/config/sensors.js";
import type { KaikaiFunction } from "../../lib/constructs/kaikai-function.js";
import { DEV_BUNDLED_DATA } from "../fixtures/bundled.js";
import {
  DENY_PLAIN_HTTP,
  grantsOf,
  logicalIdOf,
  resolvedEnvironment,
  resourcesOfType,
  STAGES,
  synthStage,
  timestreamTablesOf,
} from "./synth-stage.js";

const { stack, template } = synthStage("dev");
const { analytics, alerting, storage } = stack;
const timestream = timestreamTablesOf(stack);
const hourlyId = logicalIdOf(analytics.hourlyRollupFunction.lambda);
const zoneId = logicalIdOf(analytics.zoneRollupFunction.lambda);
const dlqId = logicalIdOf(analytics.scheduleDeadLetterQueue);
const schedulerRoleId = logicalIdOf(analytics.schedulerRole);
const topicId = logicalIdOf(alerting.alertsTopic);
const topicKeyId = logicalIdOf(alerting.key);
const tableArn = (table: Parameters<typeof logicalIdOf>[0]) => ({ "Fn::GetAtt": [logicalIdOf(table), "Arn"] });
const iotArn = (resource: string) => ({
  "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:iot:eu-west-1:123456789012:${resource}`]],
});

const grants = (fn: KaikaiFunction) => grantsOf(template, fn.role);
const actionsOf = (fn: KaikaiFunction) => grants(fn).map((grant) => grant.action);

describe("the roll-up functions' names", () => {
  it("are fixed per stage, so that `kaikai rollup --stage` can invoke them", () => {
    expect(template.toJSON().Resources[hourlyId].Properties.FunctionName).toBe("kaikai-dev-hourly-rollup");
    expect(template.toJSON().Resources[zoneId].Properties.FunctionName).toBe("kaikai-dev-zone-rollup");
  });
});

describe("the roll-up schedules", () => {
  it.each([
    ["hourly", "cron(5 * * * ? *)", () => hourlyId],
    ["zone", "cron(10 * * * ? *)", () => zoneId],
  ])(
    "run the %s roll-up at %s UTC, retried, dead-lettered, through the scheduler role",
    (_name, expression, target) => {
      template.hasResourceProperties("AWS::Scheduler::Schedule", {
        ScheduleExpression: expression,
        ScheduleExpressionTimezone: "Etc/UTC",
        State: "ENABLED",
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: {
          Arn: { "Fn::GetAtt": [target(), "Arn"] },
          RoleArn: { "Fn::GetAtt": [schedulerRoleId, "Arn"] },
          DeadLetterConfig: { Arn: { "Fn::GetAtt": [dlqId, "Arn"] } },
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        },
      });
    },
  );

  it("dead-letter into a queue encrypted with the customer key", () => {
    template.hasResourceProperties("AWS::SQS::Queue", {
      KmsMasterKeyId: { "Fn::GetAtt": [logicalIdOf(storage.key), "Arn"] },
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    expect(Object.keys(resourcesOfType(template, "AWS::SQS::Queue"))).toContain(dlqId);
  });

  it("use a role that only the scheduler of this account assumes, to invoke the two roll-ups and dead-letter", () => {
    template.hasResourceProperties("AWS::IAM::Role", {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: "scheduler.amazonaws.com" },
            Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
          }),
        ],
      },
    });
    const schedulerGrants = grantsOf(template, analytics.schedulerRole);
    const arnOf = (id: string) => ({ "Fn::GetAtt": [id, "Arn"] });
    const versionsOf = (id: string) => ({ "Fn::Join": ["", [arnOf(id), ":*"]] });
    expect(schedulerGrants).toEqual(
      expect.arrayContaining([
        { action: "lambda:InvokeFunction", resource: arnOf(hourlyId) },
        { action: "lambda:InvokeFunction", resource: arnOf(zoneId) },
        { action: "sqs:SendMessage", resource: arnOf(dlqId) },
      ]),
    );
    const allowed = [arnOf(hourlyId), versionsOf(hourlyId), arnOf(zoneId), versionsOf(zoneId), arnOf(dlqId)];
    const storageKey = arnOf(logicalIdOf(storage.key));
    for (const grant of schedulerGrants) {
      expect([...allowed, storageKey]).toContainEqual(grant.resource);
    }
  });
});

describe("a roll-up run that fails", () => {
  const failuresId = logicalIdOf(analytics.rollupFailureQueue);

  it.each([
    ["hourly", () => hourlyId],
    ["zone", () => zoneId],
  ])("of the %s roll-up is retried twice by Lambda, then sent to the encrypted failure queue", (_name, fn) => {
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: fn() },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [failuresId, "Arn"] } } },
    });
    template.hasResourceProperties("AWS::SQS::Queue", {
      KmsMasterKeyId: { "Fn::GetAtt": [logicalIdOf(storage.key), "Arn"] },
    });
    expect(Object.keys(resourcesOfType(template, "AWS::SQS::Queue"))).toContain(failuresId);
  });

  it("may be sent there by each roll-up's own role, and by nothing else of theirs", () => {
    for (const fn of [analytics.hourlyRollupFunction, analytics.zoneRollupFunction]) {
      expect(grants(fn)).toContainEqual({ action: "sqs:SendMessage", resource: { "Fn::GetAtt": [failuresId, "Arn"] } });
    }
  });

  it("raises the dead-letter alarm, as the other dead-letter queues do", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [failuresId, "QueueName"] } }],
      MetricName: "ApproximateNumberOfMessagesVisible",
    });
  });
});

describe("late hours", () => {
  const queueId = logicalIdOf(analytics.lateHoursQueue);
  const queueArn = { "Fn::GetAtt": [queueId, "Arn"] };
  const keyArn = { "Fn::GetAtt": [logicalIdOf(storage.key), "Arn"] };

  it("wait in a KMS-encrypted queue with a dead-letter queue for the hours a roll-up keeps failing on", () => {
    template.hasResourceProperties("AWS::SQS::Queue", {
      KmsMasterKeyId: keyArn,
      MessageRetentionPeriod: 14 * 24 * 3600,
      RedrivePolicy: {
        deadLetterTargetArn: { "Fn::GetAtt": [logicalIdOf(analytics.lateHoursDeadLetterQueue), "Arn"] },
        maxReceiveCount: 5,
      },
    });
  });

  it("are noted by ingest, which may only send to the queue", () => {
    const onQueue = grantsOf(template, stack.ingestion.ingestFunction.role).filter(
      (g) => JSON.stringify(g.resource) === JSON.stringify(queueArn),
    );
    expect(onQueue).toEqual([{ action: "sqs:SendMessage", resource: queueArn }]);
    expect(resolvedEnvironment(template, stack.ingestion.ingestFunction)[ENV.lateHoursQueueUrl]).toBeDefined();
  });

  it("are taken by the hourly roll-up, which then starts the zone roll-up, and nothing else", () => {
    const hourly = grants(analytics.hourlyRollupFunction);
    // Beside them, its own failed runs go to the failure queue.
    expect(hourly.filter((g) => g.action.startsWith("sqs:")).sort((a, b) => a.action.localeCompare(b.action))).toEqual([
      { action: "sqs:DeleteMessage", resource: queueArn },
      { action: "sqs:ReceiveMessage", resource: queueArn },
      { action: "sqs:SendMessage", resource: { "Fn::GetAtt": [logicalIdOf(analytics.rollupFailureQueue), "Arn"] } },
    ]);
    expect(hourly.filter((g) => g.action.startsWith("lambda:"))).toEqual([
      { action: "lambda:InvokeFunction", resource: { "Fn::GetAtt": [zoneId, "Arn"] } },
    ]);
    expect(resolvedEnvironment(template, analytics.hourlyRollupFunction)[ENV.zoneRollupFunction]).toBeDefined();
  });
});

describe("the hourly roll-up", () => {
  it("queries the measurements and writes only the hourly aggregates", () => {
    const hourly = grants(analytics.hourlyRollupFunction);
    expect(hourly).toContainEqual({ action: "timestream:Select", resource: tableArn(timestream.measurementsTable) });
    expect(hourly.filter((grant) => grant.action === "timestream:WriteRecords")).toEqual([
      { action: "timestream:WriteRecords", resource: tableArn(timestream.hourlyAggregatesTable) },
    ]);
  });

  it("publishes its summaries on kaikai/aggregates/hourly and /daily and alerts under kaikai/alerts/, nowhere else", () => {
    const published = grants(analytics.hourlyRollupFunction)
      .filter((grant) => grant.action === "iot:Publish")
      .map((grant) => grant.resource);
    const topics = [
      iotArn("topic/kaikai/aggregates/hourly"),
      iotArn("topic/kaikai/aggregates/daily"),
      iotArn("topic/kaikai/alerts/*"),
    ];
    expect(published).toEqual(expect.arrayContaining(topics));
    expect(published).toHaveLength(topics.length);
  });

  it("reads and updates only the alert-state shadow, of whichever thing", () => {
    const hourly = grants(analytics.hourlyRollupFunction);
    for (const action of ["iot:GetThingShadow", "iot:UpdateThingShadow"]) {
      expect(hourly.filter((grant) => grant.action === action).map((grant) => grant.resource)).toEqual([
        iotArn("thing/*/alert-state"),
      ]);
    }
  });

  it("publishes to the alerts topic with the topic key", () => {
    expect(grants(analytics.hourlyRollupFunction)).toEqual(
      expect.arrayContaining([
        { action: "sns:Publish", resource: { Ref: topicId } },
        { action: "kms:GenerateDataKey", resource: { "Fn::GetAtt": [topicKeyId, "Arn"] } },
        { action: "kms:Decrypt", resource: { "Fn::GetAtt": [topicKeyId, "Arn"] } },
      ]),
    );
  });

  it("gets an environment its own config reader accepts", () => {
    const config = readHourlyRollupConfig(
      resolvedEnvironment(template, analytics.hourlyRollupFunction),
      DEV_BUNDLED_DATA,
    );
    expect(config.store).toEqual({ kind: "timestream", database: "kaikai_dev" });
    expect(config.measurementsTable).toBe(TABLES.measurements);
    expect(config.hourlyAggregatesTable).toBe(TABLES.hourlyAggregates);
    expect([...config.registry.keys()]).toEqual(SENSORS.map((sensor) => sensor.sensorId));
    expect(config.alerts.rules).toEqual(STAGES.dev.alertRules);
  });
});

describe("the zone roll-up", () => {
  it("queries the hourly aggregates, writes only the zone aggregates and publishes on kaikai/aggregates/zones", () => {
    expect(grants(analytics.zoneRollupFunction)).toEqual(
      expect.arrayContaining([
        { action: "timestream:Select", resource: tableArn(timestream.hourlyAggregatesTable) },
        { action: "timestream:WriteRecords", resource: tableArn(timestream.zoneAggregatesTable) },
        { action: "iot:Publish", resource: iotArn("topic/kaikai/aggregates/zones") },
      ]),
    );
  });

  it("has no access to alerts, shadows or the measurements", () => {
    const actions = actionsOf(analytics.zoneRollupFunction);
    expect(actions).not.toContain("sns:Publish");
    expect(actions).not.toContain("iot:UpdateThingShadow");
    expect(JSON.stringify(grants(analytics.zoneRollupFunction))).not.toContain(
      logicalIdOf(timestream.measurementsTable),
    );
  });

  it("gets an environment its own config reader accepts", () => {
    const config = readZoneRollupConfig(resolvedEnvironment(template, analytics.zoneRollupFunction));
    expect(config.hourlyAggregatesTable).toBe(TABLES.hourlyAggregates);
    expect(config.zoneAggregatesTable).toBe(TABLES.zoneAggregates);
  });
});

describe("the alerts topic", () => {
  it("is encrypted with its own rotating customer key and refuses plain HTTP", () => {
    template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: { "Fn::GetAtt": [topicKeyId, "Arn"] } });
    template.hasResourceProperties("AWS::KMS::Key", {
      EnableKeyRotation: true,
      Description: Match.stringLikeRegexp("alerts topic"),
    });
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([DENY_PLAIN_HTTP]),
      },
    });
  });

  it("has no subscription on a stage without alert emails", () => {
    expect(STAGES.dev.alertEmails).toEqual([]);
    template.resourcePropertiesCountIs("AWS::SNS::Subscription", { TopicArn: { Ref: topicId } }, 0);
  });
});

/** A function's environment with CloudFormation references replaced by placeholders, as Lambda would see values. */
it("names every variable the functions receive from lambdas/bindings/environment.ts or Powertools", () => {
  const known = new Set<string>([
    ...Object.values(ENV),
    "NODE_OPTIONS",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_LOG_LEVEL",
  ]);
  for (const fn of stack.functions) {
    expect(Object.keys(resolvedEnvironment(template, fn)).filter((key) => !known.has(key))).toEqual([]);
  }
});
