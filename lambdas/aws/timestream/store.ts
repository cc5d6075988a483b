/** ReadingStore over Timestream for LiveAnalytics: one multi-measure record per reading. */

import {
  RejectedRecordsException,
  TimestreamWriteClient,
  type TimestreamWriteClientConfig,
  WriteRecordsCommand,
} from "@aws-sdk/client-timestream-write";
import type { EnrichedReading } from "../../core/reading.js";
import { ALL_WRITTEN, type ReadingStore, type StoreRejection, type StoreWriteResult } from "../../ports.js";
import { withEndpointFromEnv } from "../client-endpoint.js";
import { makeReadingRecordMapper } from "./records.js";

/** WriteRecords accepts at most 100 records a call. */
export const TIMESTREAM_MAX_RECORDS_PER_WRITE = 100;

export interface TimestreamStoreOptions {
  readonly client: TimestreamWriteClient;
  readonly database: string;
  readonly table: string;
}

/**
 * Records refused for good come back as rejections; throttling, 5xx and any other error throw so
 * that the caller retries the whole call. Every reading is written with the same version
 * (READING_RECORD_VERSION), so Timestream itself keeps readings immutable: "Records with duplicate
 * data where there are multiple records with the same dimensions, timestamps, and measure names
 * but measure values are different [and] the value of version in the new record is equal to or
 * lower than the existing value" are rejected with the stored record's `ExistingVersion` (API
 * reference, RejectedRecord), while an identical record is accepted again as a no-op.
 */
export function createTimestreamStore({ client, database, table }: TimestreamStoreOptions): ReadingStore {
  const toRecord = makeReadingRecordMapper();
  return {
    maxBatchSize: TIMESTREAM_MAX_RECORDS_PER_WRITE,
    async write(readings: readonly EnrichedReading[]): Promise<StoreWriteResult> {
      if (readings.length === 0) return ALL_WRITTEN;
      const records = readings.map(toRecord);
      try {
        await client.send(new WriteRecordsCommand({ DatabaseName: database, TableName: table, Records: records }));
        return ALL_WRITTEN;
      } catch (error) {
        if (!(error instanceof RejectedRecordsException)) throw error;
        const rejections: StoreRejection[] = [];
        for (const { RecordIndex: index, Reason, ExistingVersion } of error.RejectedRecords ?? []) {
          // A refusal that names no record cannot be mapped back: retry the call rather than lose it.
          if (index === undefined) throw error;
          rejections.push(
            ExistingVersion === undefined
              ? { index, code: "store_rejected", reason: Reason ?? error.message }
              : { index, code: "conflicting_duplicate", reason: conflictDetail(Reason, ExistingVersion) },
          );
        }
        return { rejected: rejections, unwritten: [] };
      }
    },
  };
}

function conflictDetail(reason: string | undefined, existingVersion: number): string {
  const stored = `a reading of this sensor and time is already stored (version ${existingVersion}) with other values`;
  return reason === undefined ? stored : `${stored}: ${reason}`;
}

/** The Timestream write client, straight to an emulator when one is configured (client-endpoint.ts). */
export function createTimestreamWriteClient(
  config: TimestreamWriteClientConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): TimestreamWriteClient {
  return new TimestreamWriteClient(withEndpointFromEnv(config, "AWS_ENDPOINT_URL_TIMESTREAM_WRITE", env));
}
