/** Lambda entry of the zone roll-up: wires the AWS adapters once per container. */
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { makeIotAggregatePublisher } from "../aws/iot-aggregate-publisher.js";
import { createIotDataClient } from "../aws/iot-data.js";
import { createMetrics } from "../aws/metrics.js";
import { makeTimestreamHourlySource, makeTimestreamZoneWriter } from "../aws/timestream-aggregates.js";
import { createTimestreamQueryClient } from "../aws/timestream-query.js";
import { createTimestreamWriteClient } from "../aws/timestream-store.js";
import { systemClock } from "../ports.js";
import { readZoneRollupConfig } from "./rollup-env.js";
import { makeZoneRollupHandler } from "./zone-rollup.js";

const config = readZoneRollupConfig(process.env);

const logger = new Logger();

const rollup = makeZoneRollupHandler({
  hourly: makeTimestreamHourlySource({
    client: createTimestreamQueryClient(),
    database: config.database,
    table: config.hourlyAggregatesTable,
  }),
  writer: makeTimestreamZoneWriter({
    client: createTimestreamWriteClient(),
    database: config.database,
    table: config.zoneAggregatesTable,
  }),
  publisher: makeIotAggregatePublisher({ client: createIotDataClient(config.iotDataEndpoint) }),
  clock: systemClock,
  logger,
  metrics: createMetrics(config.stage),
});

export const handler = (event: unknown, context: Context) => {
  logger.addContext(context);
  return rollup(event);
};
