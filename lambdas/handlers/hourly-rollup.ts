/** Lambda entry of the hourly roll-up: reads its environment and wires the AWS adapters once per container. */
import { SNSClient } from "@aws-sdk/client-sns";
import { makeAwsAlertPorts } from "../aws/alert-delivery.js";
import { makeIotAggregatePublisher } from "../aws/iot-aggregate-publisher.js";
import { createIotDataClient } from "../aws/iot-data.js";
import { createPowertools, withPowertools } from "../aws/powertools.js";
import { makeTimestreamBinSource, makeTimestreamHourlyWriter } from "../aws/timestream/aggregates.js";
import { createTimestreamQueryClient } from "../aws/timestream/query.js";
import { createTimestreamWriteClient } from "../aws/timestream/store.js";
import { systemClock } from "../ports.js";
import { makeHourlyRollup } from "../use-cases/hourly-rollup.js";
import { readHourlyRollupConfig } from "./hourly-rollup-config.js";

const config = readHourlyRollupConfig(process.env);
const powertools = createPowertools(config.stage);
const { logger, metrics, tracer } = powertools;
const iotData = tracer.captureAWSv3Client(createIotDataClient(config.iotDataEndpoint));

const rollup = makeHourlyRollup({
  registry: config.registry,
  bins: makeTimestreamBinSource({
    client: tracer.captureAWSv3Client(createTimestreamQueryClient()),
    database: config.database,
    table: config.measurementsTable,
  }),
  writer: makeTimestreamHourlyWriter({
    client: tracer.captureAWSv3Client(createTimestreamWriteClient()),
    database: config.database,
    table: config.hourlyAggregatesTable,
  }),
  publisher: makeIotAggregatePublisher({ client: iotData }),
  alerting: {
    rules: config.alerts.rules,
    ...makeAwsAlertPorts({
      sns: tracer.captureAWSv3Client(new SNSClient({})),
      iot: iotData,
      topicArn: config.alerts.topicArn,
    }),
  },
  clock: systemClock,
  logger,
  metrics,
});

export const handler = withPowertools((event: unknown) => rollup(event), powertools);
