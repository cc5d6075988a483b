/**
 * Lambda entry of the zone roll-up: reads its environment and wires the AWS adapters once per
 * container, loading only the stage's store client.
 */
import { makeIotAggregatePublisher } from "../aws/iot-aggregate-publisher.js";
import { createIotDataClient } from "../aws/iot-data.js";
import { createPowertools, withPowertools } from "../aws/powertools.js";
import { type HourlyAggregateSource, systemClock, type ZoneAggregateWriter } from "../ports.js";
import { makeZoneRollup } from "../use-cases/zone-rollup.js";
import { readZoneRollupConfig } from "./zone-rollup-config.js";

const config = readZoneRollupConfig(process.env);
const powertools = createPowertools(config.stage);
const { logger, metrics, tracer } = powertools;

async function storePorts(): Promise<{ hourly: HourlyAggregateSource; writer: ZoneAggregateWriter }> {
  if (config.store.kind === "dynamodb") {
    const [{ createDynamoDbClient }, { makeDynamoDbHourlySource, makeDynamoDbZoneWriter }] = await Promise.all([
      import("../aws/dynamodb/client.js"),
      import("../aws/dynamodb/aggregates.js"),
    ]);
    const client = tracer.captureAWSv3Client(createDynamoDbClient());
    return {
      hourly: makeDynamoDbHourlySource({ client, table: config.hourlyAggregatesTable }),
      writer: makeDynamoDbZoneWriter({ client, table: config.zoneAggregatesTable }),
    };
  }
  const [
    { makeTimestreamHourlySource, makeTimestreamZoneWriter },
    { createTimestreamQueryClient },
    { createTimestreamWriteClient },
  ] = await Promise.all([
    import("../aws/timestream/aggregates.js"),
    import("../aws/timestream/query.js"),
    import("../aws/timestream/store.js"),
  ]);
  const { database } = config.store;
  return {
    hourly: makeTimestreamHourlySource({
      client: tracer.captureAWSv3Client(createTimestreamQueryClient()),
      database,
      table: config.hourlyAggregatesTable,
    }),
    writer: makeTimestreamZoneWriter({
      client: tracer.captureAWSv3Client(createTimestreamWriteClient()),
      database,
      table: config.zoneAggregatesTable,
    }),
  };
}

const rollup = makeZoneRollup({
  ...(await storePorts()),
  publisher: makeIotAggregatePublisher({
    client: tracer.captureAWSv3Client(createIotDataClient(config.iotDataEndpoint)),
  }),
  clock: systemClock,
  logger,
  metrics,
});

export const handler = withPowertools((event: unknown) => rollup(event), powertools);
