import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { ENV } from "../../lambdas/bindings/environment.js";
import { TABLES } from "../../lambdas/bindings/resources.js";
import { TELEMETRY_RULE_SQL } from "../../lambdas/bindings/topic-rule.js";
import { DENY_PLAIN_HTTP, grantsOf, logicalIdOf, resourcesOfType, STAGES, synthStage } from "./synth-stage.js";

const { stack, template } = synthStage("dev");
const bufferId = logicalIdOf(stack.ingestion.queue);
const dlqId = logicalIdOf(stack.ingestion.deadLetterQueue);
const quarantineId = logicalIdOf(stack.storage.quarantineBucket);
const keyId = logicalIdOf(stack.storage.key);
// biome-ignore lint/suspicious/noTemplateCurlyInString: the IoT policy variable, which IoT Core resolves per connection.
const THING_NAME = "${iot:Connection.Thing.ThingName}";

describe("the telemetry topic rule", () => {
  it("selects the raw payload (base64), the topic and the receive time from every sensor's telemetry topic", () => {
    template.hasResourceProperties("AWS::IoT::TopicRule", {
      TopicRulePayload: Match.objectLike({
        Sql: "SELECT encode(*, 'base64') AS payload, topic() AS topic, timestamp() AS received_at FROM 'kaikai/sensors/+/telemetry'",
        AwsIotSqlVersion: "2016-03-23",
        RuleDisabled: false,
      }),
    });
    expect(TELEMETRY_RULE_SQL).toContain("'kaikai/sensors/+/telemetry'");
  });

  it("sends each message to the buffer queue, unencoded, with its own role", () => {
    template.hasResourceProperties("AWS::IoT::TopicRule", {
      TopicRulePayload: Match.objectLike({
        Actions: [
          {
            Sqs: {
              QueueUrl: { Ref: bufferId },
              RoleArn: { "Fn::GetAtt": [Match.stringLikeRegexp("TopicRuleRole"), "Arn"] },
              UseBase64: false,
            },
          },
        ],
      }),
    });
  });

  it("writes what it cannot deliver to the quarantine bucket under rule-errors/, by topic and time", () => {
    template.hasResourceProperties("AWS::IoT::TopicRule", {
      TopicRulePayload: Match.objectLike({
        ErrorAction: {
          S3: {
            BucketName: { Ref: quarantineId },
            Key: Match.stringLikeRegexp("^rule-errors/\\$\\{topic\\(\\)\\}/\\$\\{timestamp\\(\\)\\}"),
            RoleArn: { "Fn::GetAtt": [Match.stringLikeRegexp("TopicRuleRole"), "Arn"] },
          },
        },
      }),
    });
  });

  it("has a role that iot.amazonaws.com assumes for this account only, allowed to send to the buffer and write rule errors", () => {
    template.hasResourceProperties("AWS::IAM::Role", {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: "iot.amazonaws.com" },
            Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
          }),
        ],
      },
    });
    template.hasResourceProperties("AWS::IAM::Policy", {
      Roles: [{ Ref: Match.stringLikeRegexp("TopicRuleRole") }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: "sqs:SendMessage", Effect: "Allow", Resource: { "Fn::GetAtt": [bufferId, "Arn"] } },
          {
            Action: "s3:PutObject",
            Effect: "Allow",
            Resource: { "Fn::Join": ["", [{ "Fn::GetAtt": [quarantineId, "Arn"] }, "/rule-errors/*"]] },
          },
        ]),
      },
    });
  });
});

describe("the buffer queue", () => {
  it("is encrypted with the customer key and dead-letters after 5 receives", () => {
    template.hasResourceProperties("AWS::SQS::Queue", {
      KmsMasterKeyId: { "Fn::GetAtt": [keyId, "Arn"] },
      RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": [dlqId, "Arn"] }, maxReceiveCount: 5 },
    });
  });

  it("hides a message for at least six times the ingest timeout", () => {
    const queue = resourcesOfType(template, "AWS::SQS::Queue")[bufferId];
    const timeout = stack.ingestion.ingestFunction.timeout.toSeconds();
    expect(Number(queue?.Properties?.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * timeout);
  });

  it("has an encrypted dead-letter queue that keeps messages 14 days", () => {
    template.hasResourceProperties("AWS::SQS::Queue", {
      KmsMasterKeyId: { "Fn::GetAtt": [keyId, "Arn"] },
      MessageRetentionPeriod: 14 * 24 * 3600,
      RedrivePolicy: Match.absent(),
    });
  });

  it("refuses plain-HTTP access", () => {
    template.hasResourceProperties("AWS::SQS::QueuePolicy", {
      Queues: [{ Ref: bufferId }],
      PolicyDocument: {
        Statement: Match.arrayWith([DENY_PLAIN_HTTP]),
      },
    });
  });
});

describe("the queues' names", () => {
  it("are fixed per stage, so that `kaikai dlq redrive --stage` finds them", () => {
    expect(template.toJSON().Resources[bufferId].Properties.QueueName).toBe("kaikai-dev-ingest-buffer");
    expect(template.toJSON().Resources[dlqId].Properties.QueueName).toBe("kaikai-dev-ingest-dlq");
    expect(template.toJSON().Resources[logicalIdOf(stack.analytics.lateHoursQueue)].Properties.QueueName).toBe(
      "kaikai-dev-late-hours",
    );
    expect(
      template.toJSON().Resources[logicalIdOf(stack.analytics.lateHoursDeadLetterQueue)].Properties.QueueName,
    ).toBe("kaikai-dev-late-hours-dlq");
  });
});

describe("the ingest function", () => {
  it("runs at most the stage's ingestMaxConcurrency instances on the buffer (2 unless the stage says more)", () => {
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: { "Fn::GetAtt": [bufferId, "Arn"] },
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    const { template: wider } = synthStage("dev", { config: { ...STAGES.dev, ingestMaxConcurrency: 10 } });
    wider.hasResourceProperties("AWS::Lambda::EventSourceMapping", { ScalingConfig: { MaximumConcurrency: 10 } });
  });

  it("drains the buffer 100 messages at a time, within a short window, reporting partial failures", () => {
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: { "Fn::GetAtt": [bufferId, "Arn"] },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: Match.anyValue(),
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    const [mapping] = Object.values(resourcesOfType(template, "AWS::Lambda::EventSourceMapping"));
    const window = Number(mapping?.Properties?.MaximumBatchingWindowInSeconds);
    expect(window).toBeGreaterThanOrEqual(1);
    expect(window).toBeLessThanOrEqual(10);
  });

  it("is told the tables, the quarantine, the age limit and the alerts topic, and nothing of the registry or the rules", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          [ENV.stage]: "dev",
          [ENV.timestreamDatabase]: "kaikai_dev",
          [ENV.measurementsTable]: TABLES.measurements,
          [ENV.quarantineBucket]: { Ref: quarantineId },
          [ENV.maxReadingAgeDays]: String(STAGES.dev.magneticRetentionDays),
          [ENV.alertsTopicArn]: { Ref: Match.stringLikeRegexp("AlertingAlerts") },
        }),
      },
    });
  });

  it("may write refused readings under the quarantine/ prefix of the bucket only", () => {
    const objectWrites = grantsOf(template, stack.ingestion.ingestFunction.role).filter(
      ({ action }) => action === "s3:PutObject",
    );
    expect(objectWrites.map(({ resource }) => resource)).toEqual([
      { "Fn::Join": ["", [{ "Fn::GetAtt": [quarantineId, "Arn"] }, "/quarantine/*"]] },
    ]);
  });
});

describe("storage", () => {
  it("encrypts the Timestream database with the customer key", () => {
    template.hasResourceProperties("AWS::Timestream::Database", {
      DatabaseName: "kaikai_dev",
      KmsKeyId: { "Fn::GetAtt": [keyId, "Arn"] },
    });
  });

  it("rotates the customer key", () => {
    template.hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true });
  });

  it.each(Object.values(TABLES))(
    "creates the %s table with magnetic-store writes reporting rejects to the quarantine",
    (table) => {
      template.hasResourceProperties("AWS::Timestream::Table", {
        TableName: table,
        MagneticStoreWriteProperties: {
          EnableMagneticStoreWrites: true,
          MagneticStoreRejectedDataLocation: {
            S3Configuration: {
              BucketName: { Ref: quarantineId },
              EncryptionOption: "SSE_KMS",
              KmsKeyId: { "Fn::GetAtt": [keyId, "Arn"] },
              ObjectKeyPrefix: `magnetic-rejects/${table}/`,
            },
          },
        },
      });
    },
  );

  it("keeps the quarantine KMS-encrypted, private, versioned, expiring and access-logged", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: "aws:kms",
              KMSMasterKeyID: { "Fn::GetAtt": [keyId, "Arn"] },
            },
          }),
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: "Enabled" },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            ExpirationInDays: STAGES.dev.quarantineExpirationDays,
            NoncurrentVersionExpiration: { NoncurrentDays: STAGES.dev.quarantineExpirationDays },
            Status: "Enabled",
          }),
        ],
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp("AccessLogs") } },
    });
  });

  it("gives every bucket a TLS-only policy", () => {
    const buckets = Object.keys(resourcesOfType(template, "AWS::S3::Bucket"));
    expect(buckets).toHaveLength(2);
    for (const bucket of buckets) {
      template.hasResourceProperties("AWS::S3::BucketPolicy", {
        Bucket: { Ref: bucket },
        PolicyDocument: {
          Statement: Match.arrayWith([DENY_PLAIN_HTTP]),
        },
      });
    }
  });
});

describe("the fleet", () => {
  it("owns the stage's sensor thing group and makes no thing itself: kaikai fleet does", () => {
    template.hasResourceProperties("AWS::IoT::ThingGroup", { ThingGroupName: "kaikai-dev-sensors" });
    expect(Object.keys(resourcesOfType(template, "AWS::IoT::Thing"))).toEqual([]);
    template.hasOutput("SensorThingGroupName", { Value: { Ref: logicalIdOf(stack.fleet.thingGroup) } });
  });

  it("lets a thing connect only as itself and publish only on its own telemetry topic", () => {
    template.hasResourceProperties("AWS::IoT::Policy", {
      PolicyName: "kaikai-dev-sensor",
      PolicyDocument: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: "iot:Connect",
            Resource: {
              "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:iot:eu-west-1:123456789012:client/${THING_NAME}`]],
            },
            Condition: { Bool: { "iot:Connection.Thing.IsAttached": "true" } },
          },
          {
            Effect: "Allow",
            Action: "iot:Publish",
            Resource: {
              "Fn::Join": [
                "",
                [
                  "arn:",
                  { Ref: "AWS::Partition" },
                  `:iot:eu-west-1:123456789012:topic/kaikai/sensors/${THING_NAME}/telemetry`,
                ],
              ],
            },
          },
        ],
      },
    });
  });

  it("outputs the policy name that operators attach to each sensor certificate", () => {
    template.hasOutput("SensorPolicyName", { Value: { Ref: logicalIdOf(stack.fleet.sensorPolicy) } });
  });
});
