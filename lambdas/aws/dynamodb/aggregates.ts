/**
 * The roll-ups over DynamoDB. The hourly roll-up reads each registry sensor's hours with one
 * key-range Query on the readings table (never a Scan) and bins them in lambdas/core; both
 * roll-ups write the aggregates table with BatchWriteItem; the zone roll-up reads an hour of
 * sensors with one Query of its partition.
 */
import { BatchWriteItemCommand, type DynamoDBClient, paginateQuery, type WriteRequest } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import pRetry from "p-retry";
import type { HourlyAggregate, HourRange, SensorHourBin } from "../../core/aggregates.js";
import { binReadings, hoursOf, judgeSeries } from "../../core/rollup.js";
import type { SensorRegistry } from "../../core/sensor.js";
import { HOUR_MS } from "../../core/time.js";
import * as z from "../../core/zod.js";
import type {
  HourlyAggregateSource,
  HourlyAggregateWriter,
  HourlyBinSource,
  ZoneAggregateWriter,
} from "../../ports.js";
import { hourlyFromItem, hourlyItem, type Item, sensorHourPartition, zoneItem } from "./items.js";

/** BatchWriteItem takes at most 25 put requests. */
export const DYNAMODB_MAX_BATCH_WRITE = 25;

export interface DynamoDbTableTarget {
  readonly client: DynamoDBClient;
  readonly table: string;
}

/** Every item of every page of a Query. */
async function queryAll(target: DynamoDbTableTarget, input: Omit<Parameters<typeof paginateQuery>[1], "TableName">) {
  const items: Item[] = [];
  for await (const page of paginateQuery({ client: target.client }, { TableName: target.table, ...input })) {
    items.push(...(page.Items ?? []));
  }
  return items;
}

const projectedReadingSchema = z.object({
  timestamp: z.number(),
  /** Absent on items written by hand: their order of receipt is then their order in time. */
  received_at: z.optional(z.number()),
  pm25: z.number(),
  pm25_b: z.optional(z.number()),
  temperature: z.number(),
  humidity: z.number(),
  co2: z.number(),
});

/**
 * Each registry sensor's readings in the range, judged (their correction and quality flags, with
 * the hour before the range for their neighbours: lambdas/core/rollup.ts judgeSeries) and binned
 * by hour: one Query a sensor. The flags the roll-up adds are counted in the aggregates; the
 * reading items keep their ingest flags.
 */
export function makeDynamoDbBinSource(
  target: DynamoDbTableTarget & { readonly registry: SensorRegistry },
): HourlyBinSource {
  return {
    async bins(range: HourRange): Promise<SensorHourBin[]> {
      const perSensor = await Promise.all(
        [...target.registry.keys()].map(async (sensorId) => {
          const items = await queryAll(target, {
            KeyConditionExpression: "sensor_id = :sensor AND #time BETWEEN :from AND :to",
            // The readings' own values and receive time only: no enrichment or TTL to pay for.
            ProjectionExpression: "#time, received_at, pm25, pm25_b, temperature, humidity, co2",
            ExpressionAttributeNames: { "#time": "timestamp" },
            ExpressionAttributeValues: {
              ":sensor": { S: sensorId },
              ":from": { N: String(range.from - HOUR_MS) },
              ":to": { N: String(range.to - 1) },
            },
          });
          const series = items.map((item) => {
            const parsed = projectedReadingSchema.safeParse(unmarshall(item), z.inEnglish);
            if (!parsed.success) {
              throw new Error(`reading item of ${sensorId} has an unexpected shape: ${z.prettifyError(parsed.error)}`);
            }
            const { received_at: receivedAt, pm25_b: pm25B, ...values } = parsed.data;
            return { ...values, receivedAt: receivedAt ?? values.timestamp, ...(pm25B === undefined ? {} : { pm25B }) };
          });
          return judgeSeries(sensorId, series, target.registry, range).map(({ reading }) => reading);
        }),
      );
      return binReadings(perSensor.flat());
    },
  };
}

export interface BatchWriteOptions {
  /** Calls tried for the items DynamoDB leaves unprocessed. @default 5 */
  readonly attempts?: number;
  /** Wait before the second try; doubles, with jitter. @default 50 */
  readonly retryDelayMs?: number;
}

class Unprocessed extends Error {
  constructor(readonly requests: WriteRequest[]) {
    super(`DynamoDB left ${requests.length} aggregate writes unprocessed`);
    this.name = "Unprocessed";
  }
}

/**
 * Puts the items 25 a call, sending again with backoff what DynamoDB leaves unprocessed
 * (throttling); throws if some still are, so that the roll-up fails and its schedule retries it.
 * A roll-up row is keyed by its hour and sensor or zone: a re-run puts it again over the last.
 */
async function putAll(target: DynamoDbTableTarget, items: readonly Item[], options: BatchWriteOptions): Promise<void> {
  for (let start = 0; start < items.length; start += DYNAMODB_MAX_BATCH_WRITE) {
    let requests: WriteRequest[] = items
      .slice(start, start + DYNAMODB_MAX_BATCH_WRITE)
      .map((Item) => ({ PutRequest: { Item } }));
    await pRetry(
      async () => {
        const response = await target.client.send(
          new BatchWriteItemCommand({ RequestItems: { [target.table]: requests } }),
        );
        requests = response.UnprocessedItems?.[target.table] ?? [];
        if (requests.length > 0) throw new Unprocessed(requests);
      },
      {
        retries: (options.attempts ?? 5) - 1,
        minTimeout: options.retryDelayMs ?? 50,
        factor: 2,
        randomize: true,
        shouldRetry: ({ error }) => error instanceof Unprocessed,
      },
    );
  }
}

export function makeDynamoDbHourlyWriter(
  target: DynamoDbTableTarget,
  options: BatchWriteOptions = {},
): HourlyAggregateWriter {
  return {
    writeHourly: (rows, version) =>
      putAll(
        target,
        rows.map((row) => hourlyItem(row, version)),
        options,
      ),
  };
}

export function makeDynamoDbZoneWriter(
  target: DynamoDbTableTarget,
  options: BatchWriteOptions = {},
): ZoneAggregateWriter {
  return {
    writeZones: (rows, version) =>
      putAll(
        target,
        rows.map((row) => zoneItem(row, version)),
        options,
      ),
  };
}

/** The sensors' rows of each hour of the range: one Query of the hour's partition. */
export function makeDynamoDbHourlySource(target: DynamoDbTableTarget): HourlyAggregateSource {
  return {
    async hourly(range: HourRange): Promise<HourlyAggregate[]> {
      const perHour = await Promise.all(
        hoursOf(range).map((hourStart) =>
          queryAll(target, {
            KeyConditionExpression: "pk = :partition",
            ExpressionAttributeValues: { ":partition": { S: sensorHourPartition(hourStart) } },
          }),
        ),
      );
      return perHour.flat().map(hourlyFromItem);
    },
  };
}
