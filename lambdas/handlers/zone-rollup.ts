/** Lambda entry of the zone roll-up: reads its environment and wires the AWS adapters once per container. */
import { makeIotAggregatePublisher } from "../aws/iot-aggregate-publisher.js";
import { createIotDataClient } from "../aws/iot-data.js";
import { createPowertools, withPowertools } from "../aws/powertools.js";
import { makeTimestreamHourlySource, makeTimestreamZoneWriter } from "../aws/timestream/aggregates.js";
import { createTimestreamQueryClient } from "../aws/timestream/query.js";
import { createTimestreamWriteClient } from "../aws/timestream/store.js";
import { systemClock } from "../ports.js";
import { makeZoneRollup } from "../use-cases/zone-rollup.js";
import { readZoneRollupConfig } from "./zone-rollup-config.js";

const config = readZoneRollupConfig(process.env);
const powertools = createPowertools(config.stage);
const { logger, metrics, tracer } = powertools;

const rollup = makeZoneRollup({
  hourly: makeTimestreamHourlySource({
    client: tracer.captureAWSv3Client(createTimestreamQueryClient()),
    database: config.database,
    table: config.hourlyAggregatesTable,
  }),
  writer: makeTimestreamZoneWriter({
    client: tracer.captureAWSv3Client(createTimestreamWriteClient()),
    database: config.database,
    table: config.zoneAggregatesTable,
  }),
  publisher: makeIotAggregatePublisher({
    client: tracer.captureAWSv3Client(createIotDataClient(config.iotDataEndpoint)),
  }),
  clock: systemClock,
  logger,
  metrics,
});

export const handler = withPowertools((event: unknown) => rollup(event), powertools);
