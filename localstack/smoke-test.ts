/**
 * `npm run test:localstack`: the deployed dev stage on LocalStack, driven the way a sensor drives
 * it. Publishes readings on LocalStack's MQTT broker, then waits until a good reading is queryable
 * in Timestream, a breach reaches an SQS subscriber of the alerts topic, and a bad reading reaches
 * the quarantine bucket. Needs `npm run localstack:deploy` first (see localstack/README.md).
 *
 * Each wait polls until its deadline (KAIKAI_SMOKE_TIMEOUT_SECONDS, 120 by default): on LocalStack
 * every reading goes through the topic rule, SQS, a Lambda container and Timestream.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { DescribeEndpointCommand, IoTClient } from "@aws-sdk/client-iot";
import { GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { ListTopicsCommand, SNSClient, SubscribeCommand, UnsubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import mqtt from "mqtt";
import { createTimestreamQueryClient, queryAll } from "../lambdas/aws/timestream/query.js";
import { QUARANTINE_PREFIX, TABLES } from "../lambdas/bindings/resources.js";
import type { AlertNotice } from "../lambdas/core/alerts.js";
import { telemetryTopic } from "../lambdas/core/topics.js";
import { SENSORS } from "../lib/config/sensors.js";

const STACK = "Kaikai-dev";
const ENDPOINT = process.env.AWS_ENDPOINT_URL ?? "http://localhost:4566";
const TIMEOUT_MS = Number(process.env.KAIKAI_SMOKE_TIMEOUT_SECONDS ?? "120") * 1000;
const POLL_MS = 2000;

// LocalStack accepts any credentials; these are its documented placeholders.
process.env.AWS_ACCESS_KEY_ID ??= "test";
process.env.AWS_SECRET_ACCESS_KEY ??= "test";
process.env.AWS_REGION ??= "us-east-1";
const clientConfig = { endpoint: ENDPOINT };

class SmokeFailure extends Error {}

interface Deployed {
  readonly bucket: string;
  readonly topicArn: string;
  readonly database: string;
}

async function main(): Promise<void> {
  await requireLocalStack();
  const { bucket, topicArn, database } = await findDeployed();
  console.log(`stack ${STACK}: quarantine bucket ${bucket}, alerts topic ${topicArn}, Timestream ${database}`);
  const subscriber = await subscribeCriticalAlerts(topicArn);
  const broker = await connectToBroker();
  try {
    const runId = randomUUID();
    const now = Date.now();
    // Three sensors of the registry: the stack made no thing of any other.
    const [first, second, third] = SENSORS.map((sensor) => sensor.sensorId);
    if (first === undefined || second === undefined || third === undefined) {
      throw new SmokeFailure("the registry (lib/config/sensors.json) needs three sensors for the smoke test");
    }
    const good = { sensor_id: second, timestamp: now - 60_000, pm25: 12.5, temperature: 28, humidity: 70, co2: 520 };
    // Values a previous run cannot have sent, so that what arrives is known to come from this run.
    const breach = 150 + ((now % 9000) + 1000) / 100;
    const calm = { sensor_id: first, timestamp: now - 30_000, pm25: 10, temperature: 28, humidity: 70, co2: 520 };
    const hot = { ...calm, timestamp: now - 20_000, pm25: breach };
    const bad = { sensor_id: third, timestamp: now - 10_000, pm25: 20, temperature: 28, humidity: 140, co2: 520 };

    await publish(broker, good);
    // A calm reading first closes an alert that an earlier run left open, so that this run's
    // breach opens a new one; it must be stored before the breach is sent.
    await publish(broker, calm);
    await waitFor("the good readings are queryable in Timestream", async () => {
      const stored = await storedTimes(database, [first, second]);
      return stored.has(`${second}@${good.timestamp}`) && stored.has(`${first}@${calm.timestamp}`);
    });
    await publish(broker, hot);
    await publish(broker, { ...bad, smoke_run: runId });

    await waitFor(`a critical alert for ${first} (pm25 ${breach}) reaches the SQS subscriber`, async () => {
      const notices = await receiveNotices(subscriber.queueUrl);
      return notices.some((notice) => notice.sensorId === first && notice.value === breach);
    });
    await waitFor("the bad reading is in the quarantine bucket with reason out_of_range", async () =>
      quarantineHas(bucket, runId, "out_of_range"),
    );
    console.log("\nLocalStack smoke test passed.");
  } finally {
    await broker.endAsync();
    await subscriber.remove();
  }
}

async function requireLocalStack(): Promise<void> {
  try {
    await fetch(new URL("/_localstack/health", ENDPOINT), { signal: AbortSignal.timeout(5000) });
  } catch {
    throw new SmokeFailure(
      `LocalStack does not answer at ${ENDPOINT}. Start it and deploy first:\n` +
        "  docker compose -f localstack/docker-compose.yml up -d --wait\n  npm run localstack:deploy",
    );
  }
}

/**
 * What the deployed stack is made of: the environment's overrides, else the stack's outputs
 * (DescribeStacks through the AWS CLI, v1 or v2), else, without an `aws` on the PATH, the names
 * CloudFormation gives the resources.
 */
async function findDeployed(): Promise<Deployed> {
  const outputs = await stackOutputs();
  if (outputs === null) console.log("no aws CLI on the PATH: finding the stack's resources by their names");
  const output = (key: string): string | undefined => {
    const value = outputs?.[key];
    if (outputs !== null && value === undefined) throw new SmokeFailure(`${STACK} has no output ${key}: redeploy it`);
    return value;
  };
  return {
    bucket:
      process.env.KAIKAI_QUARANTINE_BUCKET || (output("QuarantineBucketName") ?? (await quarantineBucketByName())),
    topicArn: process.env.KAIKAI_ALERTS_TOPIC_ARN || (output("AlertsTopicArn") ?? (await alertsTopicByName())),
    database: output("TimestreamDatabaseName") ?? "kaikai_dev",
  };
}

/** The stack's outputs by key; null when the AWS CLI is not installed. */
async function stackOutputs(): Promise<Record<string, string> | null> {
  const args = ["cloudformation", "describe-stacks", "--stack-name", STACK, "--endpoint-url", ENDPOINT];
  const query = ["--region", String(process.env.AWS_REGION), "--query", "Stacks[0].Outputs", "--output", "json"];
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)("aws", [...args, ...query]));
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return null;
    const stderr = error instanceof Error && "stderr" in error ? String(error.stderr).trim() : String(error);
    throw new SmokeFailure(`cannot describe ${STACK} (${stderr.split("\n").at(-1)}): run npm run localstack:deploy`);
  }
  const outputs = (JSON.parse(stdout) ?? []) as { OutputKey?: string; OutputValue?: string }[];
  return Object.fromEntries(outputs.map((output) => [output.OutputKey ?? "", output.OutputValue ?? ""]));
}

/** CloudFormation names a bucket `<stack>-<logical id>-<suffix>`, lowercased. */
async function quarantineBucketByName(): Promise<string> {
  const { Buckets = [] } = await new S3Client({ ...clientConfig, forcePathStyle: true }).send(
    new ListBucketsCommand({}),
  );
  const prefix = `${STACK.toLowerCase()}-storagequarantine`;
  const name = Buckets.map((b) => b.Name ?? "").find((n) => n.startsWith(prefix));
  if (name === undefined) {
    throw new SmokeFailure(`no bucket named ${prefix}*: is ${STACK} deployed? (or set KAIKAI_QUARANTINE_BUCKET)`);
  }
  return name;
}

async function alertsTopicByName(): Promise<string> {
  const { Topics = [] } = await new SNSClient(clientConfig).send(new ListTopicsCommand({}));
  const arn = Topics.map((t) => t.TopicArn ?? "").find((a) => a.includes(`:${STACK}-AlertingAlerts`));
  if (arn === undefined) {
    throw new SmokeFailure(
      `no topic named ${STACK}-AlertingAlerts*: is ${STACK} deployed? (or set KAIKAI_ALERTS_TOPIC_ARN)`,
    );
  }
  return arn;
}

/** A throwaway subscriber, as an on-call tool would subscribe: critical alerts only. */
async function subscribeCriticalAlerts(topicArn: string): Promise<{ queueUrl: string; remove(): Promise<void> }> {
  const sqs = new SQSClient(clientConfig);
  const sns = new SNSClient(clientConfig);
  const { QueueUrl: queueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `kaikai-smoke-${randomUUID().slice(0, 8)}` }),
  );
  if (queueUrl === undefined) throw new SmokeFailure("CreateQueue returned no QueueUrl");
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  const { SubscriptionArn } = await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: "sqs",
      Endpoint: Attributes?.QueueArn,
      Attributes: { FilterPolicy: JSON.stringify({ severity: ["critical"] }), RawMessageDelivery: "true" },
      ReturnSubscriptionArn: true,
    }),
  );
  return {
    queueUrl,
    async remove() {
      if (SubscriptionArn) await sns.send(new UnsubscribeCommand({ SubscriptionArn }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    },
  };
}

/** LocalStack's broker listens on a port it reports through DescribeEndpoint (plain MQTT). */
async function connectToBroker(): Promise<mqtt.MqttClient> {
  const { endpointAddress } = await new IoTClient(clientConfig).send(
    new DescribeEndpointCommand({ endpointType: "iot:Data-ATS" }),
  );
  const port = endpointAddress?.split(":").at(-1);
  if (port === undefined || !/^\d+$/.test(port)) throw new SmokeFailure(`unexpected IoT endpoint ${endpointAddress}`);
  const url = `mqtt://${new URL(ENDPOINT).hostname}:${port}`;
  console.log(`MQTT broker: ${url}`);
  return mqtt.connectAsync(url, { clientId: `kaikai-smoke-${randomUUID().slice(0, 8)}`, connectTimeout: 10_000 });
}

async function publish(broker: mqtt.MqttClient, reading: Record<string, unknown> & { sensor_id: string }) {
  await broker.publishAsync(telemetryTopic(reading.sensor_id), JSON.stringify(reading), { qos: 1 });
  console.log(`published ${JSON.stringify(reading)}`);
}

/** `sensor@epochMs` of the recent readings of those sensors. */
async function storedTimes(database: string, sensorIds: readonly string[]): Promise<Set<string>> {
  const ids = sensorIds.map((id) => `'${id}'`).join(", ");
  const rows = await queryAll(
    createTimestreamQueryClient(clientConfig),
    `SELECT sensor_id, time FROM "${database}"."${TABLES.measurements}" WHERE sensor_id IN (${ids}) AND time > ago(1h)`,
  );
  return new Set(rows.map((row) => `${String(row.sensor_id)}@${String(row.time)}`));
}

async function receiveNotices(queueUrl: string): Promise<AlertNotice[]> {
  const { Messages = [] } = await new SQSClient(clientConfig).send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  return Messages.map((message) => JSON.parse(message.Body ?? "{}") as AlertNotice);
}

async function quarantineHas(bucket: string, runId: string, reason: string): Promise<boolean> {
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: QUARANTINE_PREFIX }));
  const recent = Contents.filter((object) => (object.LastModified?.getTime() ?? 0) > Date.now() - TIMEOUT_MS - 60_000);
  for (const { Key } of recent) {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
    const lines = ((await object.Body?.transformToString()) ?? "").split("\n").filter(Boolean);
    const entries = lines.map((line) => JSON.parse(line) as { reason: string; payload: string });
    if (entries.some((entry) => entry.reason === reason && entry.payload.includes(runId))) return true;
  }
  return false;
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const startedAt = Date.now();
  let lastError: unknown;
  while (Date.now() - startedAt < TIMEOUT_MS) {
    try {
      if (await check()) {
        console.log(`ok: ${what} (${Math.round((Date.now() - startedAt) / 1000)} s)`);
        return;
      }
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const cause = lastError instanceof Error ? ` Last error: ${lastError.message}` : "";
  throw new SmokeFailure(`timed out after ${TIMEOUT_MS / 1000} s waiting until ${what}.${cause}`);
}

main().catch((error: unknown) => {
  console.error(`\nLocalStack smoke test FAILED: ${error instanceof SmokeFailure ? error.message : String(error)}`);
  if (!(error instanceof SmokeFailure) && error instanceof Error && error.stack) console.error(error.stack);
  process.exitCode = 1;
});
