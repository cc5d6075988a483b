/** Quarantine over S3: one JSON Lines object per `put`, so one per invocation that rejected anything. */
import { randomUUID } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import { QUARANTINE_PREFIX } from "../bindings/resources.js";
import type { Clock, Quarantine, QuarantineEntry } from "../ports.js";

const QUARANTINE_CONTENT_TYPE = "application/x-ndjson";

export interface S3QuarantineOptions {
  /** Resolved on first use, so that a batch without rejects never loads the S3 client. */
  readonly client: () => Promise<S3Client>;
  readonly bucket: string;
  readonly clock: Clock;
  /** Makes keys unique; defaults to a random UUID. */
  readonly uniqueId?: () => string;
}

/** Encryption is the bucket's default (KMS), enforced by its policy, so the object sets none. */
export function createS3Quarantine({ client, bucket, clock, uniqueId = randomUUID }: S3QuarantineOptions): Quarantine {
  return {
    async put(entries: readonly QuarantineEntry[]): Promise<void> {
      if (entries.length === 0) return;
      const [s3, { PutObjectCommand }] = await Promise.all([client(), import("@aws-sdk/client-s3")]);
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: quarantineKey(new Date(clock.now()), uniqueId()),
          Body: toJsonLines(entries),
          ContentType: QUARANTINE_CONTENT_TYPE,
        }),
      );
    },
  };
}

/** Partitioned by day only, so that one object holds every reason of an invocation. */
function quarantineKey(at: Date, id: string): string {
  const iso = at.toISOString();
  const [yyyy, mm, dd] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
  return `${QUARANTINE_PREFIX}yyyy=${yyyy}/mm=${mm}/dd=${dd}/${iso}-${id}.jsonl`;
}

/** One line per entry, snake_case like the telemetry payloads, so Athena and jq read it as is. */
function toJsonLines(entries: readonly QuarantineEntry[]): string {
  return entries
    .map((entry) =>
      JSON.stringify({
        reason: entry.reason,
        detail: entry.detail,
        topic: entry.topic,
        ...(entry.sensorId === undefined ? {} : { sensor_id: entry.sensorId }),
        received_at: entry.receivedAt,
        payload: entry.payload,
        payload_encoding: entry.payloadEncoding,
      }),
    )
    .join("\n")
    .concat("\n");
}
