/** Fakes shared by the handler tests. */
import { S3Client } from "@aws-sdk/client-s3";
import type { ColumnInfo, QueryCommandOutput, ScalarType } from "@aws-sdk/client-timestream-query";
import { TimestreamWriteClient } from "@aws-sdk/client-timestream-write";
import { vi } from "vitest";
import { createS3Quarantine } from "../../lambdas/aws/s3-quarantine.js";
import { createTimestreamStore } from "../../lambdas/aws/timestream-store.js";
import type { IngestDeps } from "../../lambdas/handlers/ingest.js";
import type { Clock, HandlerLogger, HandlerMetrics } from "../../lambdas/ports.js";
import { REGISTRY } from "../../lib/config/sensors.js";
import { MAX_READING_AGE_MS } from "../fixtures/telemetry.js";

/** Records every metric added; `sum` adds up the values of one metric with exactly these dimensions. */
export function fakeMetrics() {
  const values: { name: string; unit: string; value: number; dimensions: Record<string, string> }[] = [];
  const metrics: HandlerMetrics = {
    addMetric: (name, unit, value) => void values.push({ name, unit, value, dimensions: {} }),
    publishStoredMetrics: vi.fn(),
    singleMetric: () => {
      const dimensions: Record<string, string> = {};
      return {
        addDimension: (name, value) => {
          dimensions[name] = value;
        },
        addMetric: (name, unit, value) => void values.push({ name, unit, value, dimensions }),
      };
    },
  };
  const sum = (name: string, dimensions: Record<string, string> = {}) =>
    values
      .filter((entry) => entry.name === name && JSON.stringify(entry.dimensions) === JSON.stringify(dimensions))
      .reduce((total, entry) => total + entry.value, 0);
  return { metrics, values, sum };
}

export const silentLogger = () => ({ info: vi.fn(), warn: vi.fn(), error: vi.fn() }) satisfies HandlerLogger;

/**
 * The ingest handler's deps as its Lambda entry wires them (Timestream store, S3 quarantine), on
 * SDK clients for aws-sdk-client-mock to intercept: table `kaikai`.`measurements`.
 */
export function mockedAwsIngestDeps(options: {
  readonly clock: Clock;
  readonly bucket: string;
  readonly logger: HandlerLogger;
  readonly metrics: HandlerMetrics;
  readonly uniqueId?: () => string;
}): IngestDeps {
  const { clock, bucket, logger, metrics, uniqueId } = options;
  return {
    registry: REGISTRY,
    store: createTimestreamStore({
      client: new TimestreamWriteClient({ region: "eu-west-1" }),
      database: "kaikai",
      table: "measurements",
      logger,
    }),
    quarantine: createS3Quarantine({
      client: async () => new S3Client({ region: "eu-west-1" }),
      bucket,
      clock,
      ...(uniqueId === undefined ? {} : { uniqueId }),
    }),
    clock,
    maxReadingAgeMs: MAX_READING_AGE_MS,
    logger,
    metrics,
  };
}

export type Cell = string | number | null;

/** One page of a Timestream query result, the way the service prints values (all as text). */
export function queryPage(
  columns: readonly (readonly [string, ScalarType])[],
  rows: readonly (readonly Cell[])[],
  nextToken?: string,
): QueryCommandOutput {
  const columnInfo: ColumnInfo[] = columns.map(([Name, ScalarType]) => ({ Name, Type: { ScalarType } }));
  return {
    $metadata: {},
    QueryId: "query-1",
    ColumnInfo: columnInfo,
    Rows: rows.map((row) => ({
      Data: row.map((cell) => (cell === null ? { NullValue: true } : { ScalarValue: String(cell) })),
    })),
    ...(nextToken === undefined ? {} : { NextToken: nextToken }),
  };
}

/** Timestream's printed form of an epoch-ms instant. */
export const timestreamTime = (epochMs: number): string =>
  new Date(epochMs).toISOString().replace("T", " ").replace("Z", "000000");

const MEASURE_COLUMNS = ["pm25", "temperature", "humidity", "co2"].flatMap((name) => [
  [`${name}_count`, "BIGINT"] as const,
  [`${name}_sum`, "DOUBLE"] as const,
  [`${name}_min`, "DOUBLE"] as const,
  [`${name}_max`, "DOUBLE"] as const,
]);

export const BIN_COLUMNS = [
  ["sensor_id", "VARCHAR"],
  ["hour_start", "TIMESTAMP"],
  ["readings", "BIGINT"],
  ...MEASURE_COLUMNS,
] as const;

export const HOURLY_COLUMNS = [
  ["sensor_id", "VARCHAR"],
  ["hour_start", "TIMESTAMP"],
  ["location_name", "VARCHAR"],
  ["zone", "VARCHAR"],
  ["city", "VARCHAR"],
  ["readings", "BIGINT"],
  ["expected_readings", "DOUBLE"],
  ["completeness", "DOUBLE"],
  ...MEASURE_COLUMNS,
] as const;

export interface Stats {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/** count/sum/min/max cells of the four measures; one set of stats repeated for brevity. */
export const statsCells = (pm25: Stats, other: Stats = { count: pm25.count, sum: 0, min: 0, max: 0 }): Cell[] =>
  [pm25, other, other, other].flatMap((s) => (s.count === 0 ? [0, null, null, null] : [s.count, s.sum, s.min, s.max]));

export const binRow = (sensorId: string, hourStart: number, pm25: Stats): Cell[] => [
  sensorId,
  timestreamTime(hourStart),
  pm25.count,
  ...statsCells(pm25),
];

/** The JSON body of an IoT publish or shadow update, whichever blob type the SDK input holds. */
export function decodePayload(payload: unknown): unknown {
  if (typeof payload === "string") return JSON.parse(payload);
  if (payload instanceof Uint8Array) return JSON.parse(new TextDecoder().decode(payload));
  throw new Error(`unexpected payload type: ${typeof payload}`);
}
