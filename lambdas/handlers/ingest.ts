/**
 * Lambda entry of the ingest function: reads its environment and wires the AWS adapters once per
 * container. Only the stage's store client is loaded; the S3 client loads on the first reject and
 * the alerting clients on the first alert evaluation, so that a clean batch never pays for them at
 * cold start.
 */
import type { Context, SQSEvent } from "aws-lambda";
import { alertPortsOnFirstUse, onFirstUse } from "../aws/on-first-use.js";
import { createPowertools, withPowertools } from "../aws/powertools.js";
import { createS3Quarantine } from "../aws/s3-quarantine.js";
import { makeSqsIngestHandler } from "../aws/sqs-batch.js";
import { type ReadingStore, type StoredReadingsListener, systemClock } from "../ports.js";
import { makeReadingAlerter } from "../use-cases/evaluate-alerts.js";
import { makeIngest } from "../use-cases/ingest.js";
import { allListeners, makeLateHoursNoter } from "../use-cases/late-data.js";
import { readFunctionBundledData } from "./environment.js";
import { readIngestConfig } from "./ingest-config.js";

const config = readIngestConfig(process.env, readFunctionBundledData());
const powertools = createPowertools(config.stage);
const { logger, metrics, tracer } = powertools;

async function readingStore(): Promise<ReadingStore> {
  if (config.store.kind === "dynamodb") {
    const [{ createDynamoDbClient }, { createDynamoDbReadingStore }] = await Promise.all([
      import("../aws/dynamodb/client.js"),
      import("../aws/dynamodb/readings.js"),
    ]);
    return createDynamoDbReadingStore({
      client: tracer.captureAWSv3Client(createDynamoDbClient()),
      table: config.table,
      retentionMs: config.maxReadingAgeMs,
    });
  }
  const { createTimestreamStore, createTimestreamWriteClient } = await import("../aws/timestream/store.js");
  return createTimestreamStore({
    client: tracer.captureAWSv3Client(createTimestreamWriteClient()),
    database: config.store.database,
    table: config.table,
  });
}

const s3Client = onFirstUse(() =>
  import("@aws-sdk/client-s3").then(({ S3Client }) => tracer.captureAWSv3Client(new S3Client({}))),
);

/** The hours of late readings, noted on the queue; the SQS client loads with the first late reading. */
function lateHoursNoter(queueUrl: string): StoredReadingsListener {
  const sink = onFirstUse(async () => {
    const [{ SQSClient }, { makeSqsLateHoursSink }] = await Promise.all([
      import("@aws-sdk/client-sqs"),
      import("../aws/late-hours.js"),
    ]);
    return makeSqsLateHoursSink({ client: tracer.captureAWSv3Client(new SQSClient({})), queueUrl });
  });
  return makeLateHoursNoter({
    sink: { note: async (hours) => (await sink()).note(hours) },
    clock: systemClock,
    logger,
  });
}

const alerts = config.alerts;
const readingAlerter =
  alerts &&
  makeReadingAlerter({
    rules: alerts.rules,
    ...alertPortsOnFirstUse(async () => {
      const [{ SNSClient }, { createIotDataClient }, { makeAwsAlertPorts }] = await Promise.all([
        import("@aws-sdk/client-sns"),
        import("../aws/iot-data.js"),
        import("../aws/alert-delivery.js"),
      ]);
      return makeAwsAlertPorts({
        sns: tracer.captureAWSv3Client(new SNSClient({})),
        iot: tracer.captureAWSv3Client(createIotDataClient(config.iotDataEndpoint)),
        topicArn: alerts.topicArn,
        language: alerts.language,
      });
    }),
    logger,
    metrics,
  });
const listeners = [
  ...(readingAlerter === undefined ? [] : [readingAlerter]),
  ...(config.lateHoursQueueUrl === undefined ? [] : [lateHoursNoter(config.lateHoursQueueUrl)]),
];
const ingest = makeIngest({
  registry: config.registry,
  store: await readingStore(),
  quarantine: createS3Quarantine({ client: s3Client, bucket: config.quarantineBucket, clock: systemClock }),
  clock: systemClock,
  maxReadingAgeMs: config.maxReadingAgeMs,
  ...(listeners.length === 0 ? {} : { listener: allListeners(listeners) }),
  logger,
  metrics,
});

const ingestSqsBatch = makeSqsIngestHandler(ingest, systemClock);

export const handler = withPowertools((event: SQSEvent, _context: Context) => ingestSqsBatch(event), powertools);
