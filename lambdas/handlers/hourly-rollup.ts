/**
 * Lambda entry of the hourly roll-up: reads its environment and wires the AWS adapters once per
 * container, loading only the stage's store client.
 */
import { SNSClient } from "@aws-sdk/client-sns";
import { makeAwsAlertPorts } from "../aws/alert-delivery.js";
import { makeIotAggregatePublisher } from "../aws/iot-aggregate-publisher.js";
import { createIotDataClient } from "../aws/iot-data.js";
import { onFirstUse } from "../aws/on-first-use.js";
import { createPowertools, withPowertools } from "../aws/powertools.js";
import { makeLambdaZoneRollupTrigger } from "../aws/zone-rollup-trigger.js";
import { type HourlyAggregateSource, type HourlyAggregateWriter, type HourlyBinSource, systemClock } from "../ports.js";
import { makeHourlyRollup } from "../use-cases/hourly-rollup.js";
import { readFunctionBundledData } from "./environment.js";
import { readHourlyRollupConfig } from "./hourly-rollup-config.js";

const config = readHourlyRollupConfig(process.env, readFunctionBundledData());
const powertools = createPowertools(config.stage);
const { logger, metrics, tracer } = powertools;
const iotData = tracer.captureAWSv3Client(createIotDataClient(config.iotDataEndpoint));

async function storePorts(): Promise<{
  bins: HourlyBinSource;
  writer: HourlyAggregateWriter;
  hourly: HourlyAggregateSource;
}> {
  if (config.store.kind === "dynamodb") {
    const [{ createDynamoDbClient }, { makeDynamoDbBinSource, makeDynamoDbHourlySource, makeDynamoDbHourlyWriter }] =
      await Promise.all([import("../aws/dynamodb/client.js"), import("../aws/dynamodb/aggregates.js")]);
    const client = tracer.captureAWSv3Client(createDynamoDbClient());
    return {
      bins: makeDynamoDbBinSource({ client, table: config.measurementsTable, registry: config.registry }),
      writer: makeDynamoDbHourlyWriter({ client, table: config.hourlyAggregatesTable }),
      hourly: makeDynamoDbHourlySource({ client, table: config.hourlyAggregatesTable }),
    };
  }
  const [
    { makeTimestreamBinSource, makeTimestreamHourlySource, makeTimestreamHourlyWriter },
    { createTimestreamQueryClient },
    { createTimestreamWriteClient },
  ] = await Promise.all([
    import("../aws/timestream/aggregates.js"),
    import("../aws/timestream/query.js"),
    import("../aws/timestream/store.js"),
  ]);
  const { database } = config.store;
  const queryClient = tracer.captureAWSv3Client(createTimestreamQueryClient());
  return {
    bins: makeTimestreamBinSource({
      client: queryClient,
      database,
      table: config.measurementsTable,
      registry: config.registry,
    }),
    hourly: makeTimestreamHourlySource({ client: queryClient, database, table: config.hourlyAggregatesTable }),
    writer: makeTimestreamHourlyWriter({
      client: tracer.captureAWSv3Client(createTimestreamWriteClient()),
      database,
      table: config.hourlyAggregatesTable,
    }),
  };
}

/** The late hours' queue, and the zone roll-up started after them; their clients load on first use. */
function lateData(settings: { readonly queueUrl: string; readonly zoneRollupFunction: string }) {
  const sqs = onFirstUse(async () => {
    const [{ SQSClient }, { makeSqsLateHoursSource }] = await Promise.all([
      import("@aws-sdk/client-sqs"),
      import("../aws/late-hours.js"),
    ]);
    return makeSqsLateHoursSource({
      client: tracer.captureAWSv3Client(new SQSClient({})),
      queueUrl: settings.queueUrl,
    });
  });
  const lambda = onFirstUse(async () => {
    const { LambdaClient, InvokeCommand } = await import("@aws-sdk/client-lambda");
    return { lambda: tracer.captureAWSv3Client(new LambdaClient({})), Invoke: InvokeCommand };
  });
  return {
    source: { take: async () => (await sqs()).take() },
    zones: makeLambdaZoneRollupTrigger({ client: lambda, functionName: settings.zoneRollupFunction }),
  };
}

const rollup = makeHourlyRollup({
  registry: config.registry,
  ...(await storePorts()),
  publisher: makeIotAggregatePublisher({ client: iotData }),
  alerting: {
    rules: config.alerts.rules,
    ...makeAwsAlertPorts({
      sns: tracer.captureAWSv3Client(new SNSClient({})),
      iot: iotData,
      topicArn: config.alerts.topicArn,
      language: config.alerts.language,
    }),
  },
  timeZone: config.timeZone,
  ...(config.lateData === undefined ? {} : { lateData: lateData(config.lateData) }),
  clock: systemClock,
  logger,
  metrics,
});

export const handler = withPowertools((event: unknown) => rollup(event), powertools);
