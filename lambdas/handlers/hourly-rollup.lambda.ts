/** Lambda entry of the hourly roll-up: wires the AWS adapters once per container. */
import { Logger } from "@aws-lambda-powertools/logger";
import { SNSClient } from "@aws-sdk/client-sns";
import type { Context } from "aws-lambda";
import { makeAwsAlertPorts } from "../aws/alert-ports.js";
import { makeIotAggregatePublisher } from "../aws/iot-aggregate-publisher.js";
import { createIotDataClient } from "../aws/iot-data.js";
import { createMetrics } from "../aws/metrics.js";
import { makeTimestreamBinSource, makeTimestreamHourlyWriter } from "../aws/timestream-aggregates.js";
import { createTimestreamQueryClient } from "../aws/timestream-query.js";
import { createTimestreamWriteClient } from "../aws/timestream-store.js";
import { systemClock } from "../ports.js";
import { makeHourlyRollupHandler } from "./hourly-rollup.js";
import { readHourlyRollupConfig } from "./rollup-env.js";

const config = readHourlyRollupConfig(process.env);
const iotData = createIotDataClient(config.iotDataEndpoint);

const logger = new Logger();

const rollup = makeHourlyRollupHandler({
  registry: config.registry,
  bins: makeTimestreamBinSource({
    client: createTimestreamQueryClient(),
    database: config.database,
    table: config.measurementsTable,
  }),
  writer: makeTimestreamHourlyWriter({
    client: createTimestreamWriteClient(),
    database: config.database,
    table: config.hourlyAggregatesTable,
  }),
  publisher: makeIotAggregatePublisher({ client: iotData }),
  alerting: {
    rules: config.alerts.rules,
    ...makeAwsAlertPorts({ sns: new SNSClient({}), iot: iotData, topicArn: config.alerts.topicArn }),
  },
  clock: systemClock,
  logger,
  metrics: createMetrics(config.stage),
});

export const handler = (event: unknown, context: Context) => {
  logger.addContext(context);
  return rollup(event);
};
