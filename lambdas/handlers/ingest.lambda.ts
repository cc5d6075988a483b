/**
 * Lambda entry of the ingest function: wires the AWS adapters once per container. The S3 client
 * loads on the first reject only, so that a clean batch never pays for it at cold start.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createLazyAlertPorts } from "../aws/lazy-alerting.js";
import { createMetrics } from "../aws/metrics.js";
import { createS3Quarantine } from "../aws/s3-quarantine.js";
import { createTimestreamStore, createTimestreamWriteClient } from "../aws/timestream-store.js";
import { systemClock } from "../ports.js";
import { makeReadingAlerter } from "./alerting.js";
import { makeIngestHandler } from "./ingest.js";
import { readIngestConfig } from "./ingest-env.js";
import { readOptionalAlertConfig } from "./rollup-env.js";

const config = readIngestConfig(process.env);
const alertConfig = readOptionalAlertConfig(process.env);
const logger = new Logger();
const metrics = createMetrics(config.stage);

let s3Client: Promise<S3Client> | undefined;
const loadS3Client = (): Promise<S3Client> => {
  s3Client ??= import("@aws-sdk/client-s3").then(({ S3Client }) => new S3Client({}));
  return s3Client;
};

const ingest = makeIngestHandler({
  registry: config.registry,
  store: createTimestreamStore({
    client: createTimestreamWriteClient(),
    database: config.database,
    table: config.table,
    logger,
  }),
  quarantine: createS3Quarantine({ client: loadS3Client, bucket: config.quarantineBucket, clock: systemClock }),
  clock: systemClock,
  maxReadingAgeMs: config.maxReadingAgeMs,
  // Per-reading alert rules; their SNS and IoT clients load on the first evaluation.
  listener:
    alertConfig &&
    makeReadingAlerter({
      rules: alertConfig.rules,
      ...createLazyAlertPorts(alertConfig.topicArn, config.iotDataEndpoint),
      logger,
      metrics,
    }),
  logger,
  metrics,
});

export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  return ingest(event, context);
};
