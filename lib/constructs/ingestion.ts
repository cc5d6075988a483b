import { Duration, Stack } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { CfnTopicRule } from "aws-cdk-lib/aws-iot";
import type { IKey } from "aws-cdk-lib/aws-kms";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { BundledConfig } from "../../lambdas/bindings/bundled-config.js";
import { FUNCTION_ENTRIES } from "../../lambdas/bindings/entries.js";
import { ENV } from "../../lambdas/bindings/environment.js";
import { kaikaiQueueName, QUARANTINE_PREFIX, REDRIVABLE_QUEUES } from "../../lambdas/bindings/resources.js";
import { TELEMETRY_RULE_SQL, TELEMETRY_RULE_SQL_VERSION } from "../../lambdas/bindings/topic-rule.js";
import { TELEMETRY_TOPIC_FILTER } from "../../lambdas/core/topics.js";
import { acknowledgeWildcard, arnWildcardFinding } from "../nag.js";
import { INGESTION_DEFAULTS } from "./ingestion-defaults.js";
import { KaikaiFunction, type KaikaiFunctionProps } from "./kaikai-function.js";

/** Where the topic rule writes the messages it could not deliver to the queue. */
export const RULE_ERRORS_PREFIX = "rule-errors/";

export interface IngestionProps {
  /** Settings shared by every function of the stage (stage, log retention, removal policy). */
  readonly functionDefaults: Pick<KaikaiFunctionProps, "stage" | "logRetention" | "logRemovalPolicy">;
  /** The registry and the alert rules, bundled into the function's code. */
  readonly bundledConfig: BundledConfig;
  /** Key of the buffer queue and its dead-letter queue. */
  readonly encryptionKey: IKey;
  /** Bucket for refused readings and for messages the topic rule could not deliver. */
  readonly quarantineBucket: IBucket;
  /** @default INGESTION_DEFAULTS.batchSize (100, Timestream's WriteRecords maximum) */
  readonly batchSize?: number;
  /** @default INGESTION_DEFAULTS.maxBatchingWindow (5 seconds) */
  readonly maxBatchingWindow?: Duration;
  /** Receives before a message moves to the dead-letter queue. @default INGESTION_DEFAULTS.maxReceiveCount (5) */
  readonly maxReceiveCount?: number;
  /** @default INGESTION_DEFAULTS.timeout (60 seconds) */
  readonly timeout?: Duration;
  /** @default INGESTION_DEFAULTS.memorySizeMb (512) */
  readonly memorySizeMb?: number;
  /** Ingest instances the queue may run at once (2 to 1000). @default INGESTION_DEFAULTS.maxConcurrency (2) */
  readonly maxConcurrency?: number;
}

/**
 * IoT Core to the ingest function: a topic rule that forwards each telemetry message whole
 * (payload in base64, so malformed JSON still reaches validation) to an encrypted SQS buffer, and
 * the function that drains it in batches, reporting partial failures so that only the readings
 * whose storage failed are retried and finally dead-lettered.
 */
export class Ingestion extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly ingestFunction: KaikaiFunction;
  public readonly topicRule: CfnTopicRule;
  public readonly topicRuleRole: Role;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    const timeout = props.timeout ?? INGESTION_DEFAULTS.timeout;
    const maxBatchingWindow = props.maxBatchingWindow ?? INGESTION_DEFAULTS.maxBatchingWindow;

    this.ingestFunction = new KaikaiFunction(this, "Ingest", {
      ...props.functionDefaults,
      bundledConfig: props.bundledConfig,
      entry: FUNCTION_ENTRIES.ingest,
      label: "ingest",
      purpose: "Validates, enriches and stores sensor readings; quarantines the rest; raises reading alerts",
      timeout,
      memorySizeMb: props.memorySizeMb ?? INGESTION_DEFAULTS.memorySizeMb,
    });

    const { stage } = props.functionDefaults;
    this.deadLetterQueue = new Queue(this, "DeadLetterQueue", {
      queueName: kaikaiQueueName(stage, REDRIVABLE_QUEUES.ingest.deadLetterQueue),
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, "Buffer", {
      queueName: kaikaiQueueName(stage, REDRIVABLE_QUEUES.ingest.source),
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      // AWS guidance for SQS event sources: six times the function timeout plus the batching window.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6 + maxBatchingWindow.toSeconds()),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: props.maxReceiveCount ?? INGESTION_DEFAULTS.maxReceiveCount,
      },
    });

    this.ingestFunction.lambda.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? INGESTION_DEFAULTS.batchSize,
        maxBatchingWindow,
        maxConcurrency: props.maxConcurrency ?? INGESTION_DEFAULTS.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    this.ingestFunction.bindBucket(ENV.quarantineBucket, props.quarantineBucket, QUARANTINE_PREFIX);

    this.topicRuleRole = new Role(this, "TopicRuleRole", {
      assumedBy: new ServicePrincipal("iot.amazonaws.com", {
        conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
      }),
      description: "Lets the telemetry topic rule enqueue messages and write its errors to the quarantine",
    });
    this.topicRuleRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["sqs:SendMessage"], resources: [this.queue.queueArn] }),
    );
    const ruleErrorObjects = props.quarantineBucket.arnForObjects(`${RULE_ERRORS_PREFIX}*`);
    this.topicRuleRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["s3:PutObject"], resources: [ruleErrorObjects] }),
    );
    acknowledgeWildcard(
      this.topicRuleRole,
      arnWildcardFinding(props.quarantineBucket, `/${RULE_ERRORS_PREFIX}*`),
      "The rule writes one object per failed delivery, named by topic and time, under the rule-errors/ prefix only.",
    );
    const keyArns = [props.encryptionKey.keyArn];
    const bucketKey = props.quarantineBucket.encryptionKey;
    if (bucketKey && bucketKey !== props.encryptionKey) keyArns.push(bucketKey.keyArn);
    this.topicRuleRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: keyArns }),
    );

    this.topicRule = new CfnTopicRule(this, "TelemetryRule", {
      topicRulePayload: {
        description: `Forwards ${TELEMETRY_TOPIC_FILTER} messages, raw, to the ingest buffer`,
        sql: TELEMETRY_RULE_SQL,
        awsIotSqlVersion: TELEMETRY_RULE_SQL_VERSION,
        ruleDisabled: false,
        actions: [{ sqs: { queueUrl: this.queue.queueUrl, roleArn: this.topicRuleRole.roleArn, useBase64: false } }],
        errorAction: {
          s3: {
            bucketName: props.quarantineBucket.bucketName,
            key: `${RULE_ERRORS_PREFIX}\${topic()}/\${timestamp()}-\${newuuid()}.json`,
            roleArn: this.topicRuleRole.roleArn,
          },
        },
      },
    });
  }
}
