/**
 * What the emulator tests share: the endpoint, and the resources a deployment would have made,
 * created through the same public APIs that a user (or CloudFormation) would call. Names carry a
 * random suffix so that runs against a long-lived LocalStack never collide.
 */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateThingCommand, IoTClient, ResourceAlreadyExistsException } from "@aws-sdk/client-iot";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import {
  CreateDatabaseCommand,
  CreateTableCommand as CreateTimestreamTableCommand,
} from "@aws-sdk/client-timestream-write";
import { createDynamoDbClient } from "../../lambdas/aws/dynamodb/client.js";
import { createS3Quarantine } from "../../lambdas/aws/s3-quarantine.js";
import { makeSqsIngestHandler } from "../../lambdas/aws/sqs-batch.js";
import { createTimestreamStore, createTimestreamWriteClient } from "../../lambdas/aws/timestream/store.js";
import { SEVERITIES, type Severity } from "../../lambdas/core/alerts.js";
import { DAY_MS } from "../../lambdas/core/time.js";
import {
  type Clock,
  type HandlerMetrics,
  noMetrics,
  type ReadingStore,
  type StoredReadingsListener,
} from "../../lambdas/ports.js";
import { makeIngest } from "../../lambdas/use-cases/ingest.js";
import { REGISTRY } from "../../lib/config/sensors.js";

/** Set and checked by require-endpoint.ts before any test file loads. */
export function emulatorEndpoint(): string {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (endpoint === undefined) throw new Error("AWS_ENDPOINT_URL is not set");
  return endpoint;
}

/** S3 on an emulator is addressed by path: a bucket name cannot become a subdomain of 127.0.0.1. */
export const s3Client = (): S3Client => new S3Client({ endpoint: emulatorEndpoint(), forcePathStyle: true });
export const snsClient = (): SNSClient => new SNSClient({ endpoint: emulatorEndpoint() });
export const sqsClient = (): SQSClient => new SQSClient({ endpoint: emulatorEndpoint() });
export const iotClient = (): IoTClient => new IoTClient({ endpoint: emulatorEndpoint() });

/** moto serves its own API beside AWS's; LocalStack does not. */
export async function isMoto(): Promise<boolean> {
  const response = await fetch(new URL("/moto-api/", emulatorEndpoint()));
  return response.ok;
}

export const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Retention of the measurements tables the tier creates, and so the oldest reading they take. */
const MAGNETIC_RETENTION_DAYS = 30;

export async function createMeasurementsTable(): Promise<{ database: string; table: string }> {
  const client = createTimestreamWriteClient();
  const database = uniqueName("kaikai_emulator").replaceAll("-", "_");
  const table = "measurements";
  await client.send(new CreateDatabaseCommand({ DatabaseName: database }));
  await client.send(
    new CreateTimestreamTableCommand({
      DatabaseName: database,
      TableName: table,
      RetentionProperties: {
        MemoryStoreRetentionPeriodInHours: 24,
        MagneticStoreRetentionPeriodInDays: MAGNETIC_RETENTION_DAYS,
      },
    }),
  );
  return { database, table };
}

export async function createBucket(): Promise<string> {
  const bucket = uniqueName("kaikai-quarantine");
  await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Every object under the prefix, as text, oldest key first. */
export async function readObjects(bucket: string, prefix: string): Promise<{ key: string; body: string }[]> {
  const s3 = s3Client();
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const keys = (listed.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key])).sort();
  return Promise.all(
    keys.map(async (key) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { key, body: (await object.Body?.transformToString("utf8")) ?? "" };
    }),
  );
}

export interface AlertsTopic {
  readonly topicArn: string;
  /** One queue per severity, subscribed with a filter policy on the `severity` attribute. */
  readonly queueUrls: Readonly<Record<Severity, string>>;
}

/**
 * The alerts topic as subscribers use it: each queue asks only for its severity. Raw delivery
 * puts the notice itself in the message body and the SNS attributes on the SQS message.
 */
export async function createAlertsTopic(): Promise<AlertsTopic> {
  const sns = snsClient();
  const sqs = sqsClient();
  const { TopicArn: topicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName("kaikai-alerts") }));
  if (topicArn === undefined) throw new Error("CreateTopic returned no TopicArn");
  const entries = await Promise.all(
    SEVERITIES.map(async (severity) => {
      const { QueueUrl: queueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: uniqueName(`kaikai-alerts-${severity}`) }),
      );
      if (queueUrl === undefined) throw new Error("CreateQueue returned no QueueUrl");
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
      );
      await sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: "sqs",
          Endpoint: Attributes?.QueueArn,
          Attributes: { FilterPolicy: JSON.stringify({ severity: [severity] }), RawMessageDelivery: "true" },
        }),
      );
      return [severity, queueUrl] as const;
    }),
  );
  return { topicArn, queueUrls: Object.fromEntries(entries) as Record<Severity, string> };
}

/**
 * Drains a queue. SNS fan-out to SQS is asynchronous on a real service, so it keeps polling
 * until `expected` messages arrived or one empty long poll follows; a test then asserts on
 * exactly what arrived, so an extra or a missing message still fails it.
 */
export async function receiveAll(queueUrl: string, expected: number): Promise<Message[]> {
  const sqs = sqsClient();
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: messages.length >= expected ? 0 : 2,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
  }
}

/**
 * Device shadows belong to things: the registry's sensors are things in a deployment. A thing
 * left by an earlier run against a long-lived emulator is kept.
 */
export async function createThing(thingName: string): Promise<void> {
  try {
    await iotClient().send(new CreateThingCommand({ thingName }));
  } catch (error) {
    if (!(error instanceof ResourceAlreadyExistsException)) throw error;
  }
}

/** A logger that prints nothing and no metrics: the tier asserts on what reaches the emulator, not on logs or EMF. */
export function quietObservability(): { readonly logger: Logger; readonly metrics: HandlerMetrics } {
  return { logger: new Logger({ serviceName: "emulator-tier", logLevel: "SILENT" }), metrics: noMetrics };
}

export const dynamoDbClient = (): DynamoDBClient => createDynamoDbClient({ endpoint: emulatorEndpoint() });

/** The DynamoDB store's two tables, keyed as the stack keys them (lib/constructs/store-tables.ts). */
export async function createDynamoDbTables(): Promise<{ readings: string; aggregates: string }> {
  const client = dynamoDbClient();
  const readings = uniqueName("kaikai-readings");
  const aggregates = uniqueName("kaikai-aggregates");
  const table = (TableName: string, [hash, hashType]: [string, "S" | "N"], [range, rangeType]: [string, "S" | "N"]) =>
    client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: hash, AttributeType: hashType },
          { AttributeName: range, AttributeType: rangeType },
        ],
        KeySchema: [
          { AttributeName: hash, KeyType: "HASH" },
          { AttributeName: range, KeyType: "RANGE" },
        ],
      }),
    );
  await table(readings, ["sensor_id", "S"], ["timestamp", "N"]);
  await table(aggregates, ["pk", "S"], ["sk", "S"]);
  return { readings, aggregates };
}

/** The ingest handler on the AWS adapters, wired as its Lambda entry wires them, on the emulator's resources. */
export function emulatorIngestHandler(options: {
  readonly database: string;
  readonly table: string;
  readonly bucket: string;
  readonly clock: Clock;
  readonly listener?: StoredReadingsListener;
  readonly logger: Logger;
  readonly metrics: HandlerMetrics;
  /** A store other than the Timestream table named by `database` and `table`. */
  readonly store?: ReadingStore;
}) {
  const { database, table, bucket, clock, logger, metrics } = options;
  const ingest = makeIngest({
    registry: REGISTRY,
    store: options.store ?? createTimestreamStore({ client: createTimestreamWriteClient(), database, table }),
    quarantine: createS3Quarantine({ client: async () => s3Client(), bucket, clock }),
    clock,
    maxReadingAgeMs: MAGNETIC_RETENTION_DAYS * DAY_MS,
    logger,
    metrics,
    ...(options.listener === undefined ? {} : { listener: options.listener }),
  });
  return makeSqsIngestHandler(ingest, clock);
}
