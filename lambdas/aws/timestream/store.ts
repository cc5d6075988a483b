/** ReadingStore over Timestream for LiveAnalytics: one multi-measure record per reading. */

import {
  RejectedRecordsException,
  TimestreamWriteClient,
  type TimestreamWriteClientConfig,
  WriteRecordsCommand,
} from "@aws-sdk/client-timestream-write";
import type { EnrichedReading } from "../../core/reading.js";
import type { HandlerLogger, ReadingStore, StoreRejection } from "../../ports.js";
import { withEndpointFromEnv } from "../client-endpoint.js";
import { makeReadingRecordMapper } from "./records.js";

/** WriteRecords accepts at most 100 records a call. */
export const TIMESTREAM_MAX_RECORDS_PER_WRITE = 100;

export interface TimestreamStoreOptions {
  readonly client: TimestreamWriteClient;
  readonly database: string;
  readonly table: string;
  readonly logger: Pick<HandlerLogger, "info">;
}

/**
 * Records refused for good come back as rejections; throttling, 5xx and any other error throw so
 * that the caller retries the whole call. A record refused because a higher version is already
 * stored is a replay of an older delivery: idempotency working, so it counts as stored.
 */
export function createTimestreamStore({ client, database, table, logger }: TimestreamStoreOptions): ReadingStore {
  const toRecord = makeReadingRecordMapper();
  return {
    maxBatchSize: TIMESTREAM_MAX_RECORDS_PER_WRITE,
    async write(readings: readonly EnrichedReading[]): Promise<readonly StoreRejection[]> {
      if (readings.length === 0) return [];
      const records = readings.map(toRecord);
      try {
        await client.send(new WriteRecordsCommand({ DatabaseName: database, TableName: table, Records: records }));
        return [];
      } catch (error) {
        if (!(error instanceof RejectedRecordsException)) throw error;
        const rejections: StoreRejection[] = [];
        const supersededIndexes: number[] = [];
        for (const { RecordIndex: index, Reason, ExistingVersion } of error.RejectedRecords ?? []) {
          // A refusal that names no record cannot be mapped back: retry the call rather than lose it.
          if (index === undefined) throw error;
          const record = records[index];
          if (record !== undefined && ExistingVersion !== undefined && ExistingVersion > record.Version) {
            supersededIndexes.push(index);
          } else {
            rejections.push({ index, reason: Reason ?? error.message });
          }
        }
        if (supersededIndexes.length > 0) {
          logger.info("readings already stored from a later delivery", {
            duplicates: supersededIndexes.length,
            recordIndexes: supersededIndexes,
          });
        }
        return rejections;
      }
    },
  };
}

/** The Timestream write client, straight to an emulator when one is configured (client-endpoint.ts). */
export function createTimestreamWriteClient(
  config: TimestreamWriteClientConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): TimestreamWriteClient {
  return new TimestreamWriteClient(withEndpointFromEnv(config, "AWS_ENDPOINT_URL_TIMESTREAM_WRITE", env));
}
