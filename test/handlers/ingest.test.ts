import { PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import {
  RejectedRecordsException,
  ThrottlingException,
  TimestreamWriteClient,
  WriteRecordsCommand,
} from "@aws-sdk/client-timestream-write";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeSqsIngestHandler } from "../../lambdas/aws/sqs-batch.js";
import { READING_RECORD_VERSION } from "../../lambdas/aws/timestream/records.js";
import { METRIC, REASON_DIMENSION } from "../../lambdas/bindings/metrics.js";
import type { EnrichedReading, InboundMessage } from "../../lambdas/core/reading.js";
import type { StoredReadingsListener } from "../../lambdas/ports.js";
import { makeIngest } from "../../lambdas/use-cases/ingest.js";
import { fakeMetrics, mockedAwsIngestDeps, silentLogger } from "../fixtures/fakes.js";
import {
  goodPayload,
  MAX_READING_AGE_MS,
  messageOf,
  NOW,
  sqsEventOf,
  sqsRecord,
  validMessages,
} from "../fixtures/telemetry.js";

const timestream = mockClient(TimestreamWriteClient);
const s3 = mockClient(S3Client);

const BUCKET = "kaikai-test-quarantine";

function setup(options: { listener?: StoredReadingsListener } = {}) {
  const logger = silentLogger();
  const telemetry = fakeMetrics();
  const clock = { now: () => NOW };
  const deps = {
    ...mockedAwsIngestDeps({ clock, bucket: BUCKET, logger, metrics: telemetry.metrics, uniqueId: () => "request-1" }),
    ...(options.listener ? { listener: options.listener } : {}),
  };
  return {
    handler: makeSqsIngestHandler(makeIngest(deps), deps.clock),
    pipeline: makeIngest(deps),
    logger,
    ...telemetry,
  };
}

const writeCalls = () => timestream.commandCalls(WriteRecordsCommand).map((call) => call.args[0].input);
const putCalls = () => s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
const quarantinedLines = (): Record<string, unknown>[] =>
  putCalls().flatMap((input) =>
    String(input.Body)
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line)),
  );
const failedIds = (response: SQSBatchResponse) => response.batchItemFailures.map((failure) => failure.itemIdentifier);
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => `m-${from + index}`);

const throttling = () =>
  new ThrottlingException({ message: "Rate exceeded", Message: "Rate exceeded", $metadata: { httpStatusCode: 429 } });

beforeEach(() => {
  timestream.reset();
  s3.reset();
  timestream.on(WriteRecordsCommand).resolves({ RecordsIngested: { Total: 1 } });
  s3.on(PutObjectCommand).resolves({});
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the ingest handler", () => {
  it("writes 250 valid readings in exactly 3 WriteRecords calls of at most 100 records", async () => {
    const { handler, sum } = setup();
    const response = await handler(sqsEventOf(validMessages(250)));

    expect(failedIds(response)).toEqual([]);
    expect(writeCalls().map((input) => input.Records?.length)).toEqual([100, 100, 50]);
    expect(writeCalls().every((input) => input.DatabaseName === "kaikai" && input.TableName === "measurements")).toBe(
      true,
    );
    expect(putCalls()).toHaveLength(0);
    expect(sum(METRIC.readingsStored)).toBe(250);
    expect(sum(METRIC.writeRecordsCalls)).toBe(3);
  });

  it("quarantines exactly the records Timestream rejects, with store_rejected and its reason", async () => {
    const reason = "The record timestamp is outside the time range of the data ingestion window.";
    timestream.on(WriteRecordsCommand).rejects(
      new RejectedRecordsException({
        message: "One or more records have been rejected.",
        $metadata: {},
        RejectedRecords: [
          { RecordIndex: 3, Reason: reason },
          { RecordIndex: 7, Reason: reason },
        ],
      }),
    );
    const onStored = vi.fn(async (_readings: readonly EnrichedReading[]) => undefined);
    const messages = validMessages(10);
    const { handler, sum } = setup({ listener: { onStored } });

    const response = await handler(sqsEventOf(messages));

    expect(failedIds(response)).toEqual([]);
    expect(putCalls()).toHaveLength(1);
    const lines = quarantinedLines();
    expect(lines.map((line) => line.reason)).toEqual(["store_rejected", "store_rejected"]);
    expect(lines.map((line) => line.detail)).toEqual([reason, reason]);
    expect(lines.map((line) => line.payload)).toEqual([3, 7].map((index) => decode(messages[index])));
    expect(onStored).toHaveBeenCalledTimes(1);
    expect(onStored.mock.calls[0]?.[0]).toHaveLength(8);
    expect(sum(METRIC.recordsRejectedByStore)).toBe(2);
    expect(sum(METRIC.readingsQuarantined, { [REASON_DIMENSION]: "store_rejected" })).toBe(2);
  });

  it("retries exactly the readings of the call that was throttled", async () => {
    timestream.on(WriteRecordsCommand).resolvesOnce({}).rejectsOnce(throttling()).resolves({});
    const { handler, logger } = setup();

    const response = await handler(sqsEventOf(validMessages(250)));

    expect(writeCalls()).toHaveLength(3);
    expect(failedIds(response)).toEqual(ids(100, 200));
    expect(putCalls()).toHaveLength(0);
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining("store write failed"), expect.anything());
  });

  it("reports a wholly failed batch as item failures rather than throwing", async () => {
    timestream.on(WriteRecordsCommand).rejects(throttling());
    const { handler } = setup();
    const response = await handler(sqsEventOf(validMessages(3)));
    expect(failedIds(response)).toEqual(ids(0, 3));
  });

  it("writes a replayed batch as the same records, all with the one reading version", async () => {
    const { handler } = setup();

    await handler(sqsEventOf(validMessages(5, NOW - 2000)));
    await handler(sqsEventOf(validMessages(5, NOW - 1000)));

    const [first, second] = writeCalls();
    expect(second?.Records).toEqual(first?.Records);
    expect(first?.Records?.map((record) => record.Version)).toEqual(Array(5).fill(READING_RECORD_VERSION));
  });

  it("quarantines a re-send with other values as conflicting_duplicate: Timestream keeps the stored record", async () => {
    timestream.on(WriteRecordsCommand).rejects(
      new RejectedRecordsException({
        message: "One or more records have been rejected.",
        $metadata: {},
        RejectedRecords: [{ RecordIndex: 0, Reason: "A record with the same version exists.", ExistingVersion: 1 }],
      }),
    );
    const { handler, sum } = setup();

    const response = await handler(sqsEventOf(validMessages(2, NOW - 60_000)));

    expect(failedIds(response)).toEqual([]);
    expect(sum(METRIC.readingsStored)).toBe(1);
    const lines = quarantinedLines();
    expect(lines.map((line) => line.reason)).toEqual(["conflicting_duplicate"]);
    expect(lines[0]?.detail).toContain("already stored (version 1) with other values");
  });

  it("stores the good readings of a mixed batch and quarantines each bad one with its code in one object", async () => {
    const good = validMessages(3);
    const bad: [string, InboundMessage][] = [
      ["malformed_json", messageOf("{not json", { raw: true, topic: "kaikai/sensors/SENS001/telemetry" })],
      ["not_an_object", messageOf([1, 2], { topic: "kaikai/sensors/SENS001/telemetry" })],
      ["payload_too_large", messageOf(goodPayload({ firmware: "x".repeat(9000) }))],
      ["missing_field", messageOf(goodPayload({ co2: undefined }))],
      ["wrong_type", messageOf(goodPayload({ pm25: "high" }))],
      ["out_of_range", messageOf(goodPayload({ humidity: 101 }))],
      [
        "sensor_mismatch",
        messageOf(goodPayload({ sensor_id: "SENS002" }), { topic: "kaikai/sensors/SENS001/telemetry" }),
      ],
      ["unknown_sensor", messageOf(goodPayload({ sensor_id: "SENS999" }))],
      ["timestamp_in_future", messageOf(goodPayload({ timestamp: NOW + 16 * 60_000 }))],
      ["timestamp_too_old", messageOf(goodPayload({ timestamp: NOW - MAX_READING_AGE_MS - 1 }))],
    ];
    const { handler, sum } = setup();

    const response = await handler(sqsEventOf([...good, ...bad.map(([, message]) => message)]));

    expect(failedIds(response)).toEqual([]);
    expect(writeCalls()).toHaveLength(1);
    expect(writeCalls()[0]?.Records).toHaveLength(3);
    expect(putCalls()).toHaveLength(1);
    const [put] = putCalls();
    expect(put).toMatchObject({ Bucket: BUCKET, ContentType: "application/x-ndjson" });
    expect(put?.Key).toBe("quarantine/yyyy=2026/mm=11/dd=28/2026-11-28T10:05:00.000Z-request-1.jsonl");
    const lines = quarantinedLines();
    expect(lines.map((line) => line.reason)).toEqual(bad.map(([reason]) => reason));
    expect(lines.map((line) => line.payload)).toEqual(bad.map(([, message]) => decode(message)));
    expect(lines[7]).toEqual({
      reason: "unknown_sensor",
      detail: expect.stringContaining("SENS999"),
      topic: "kaikai/sensors/SENS999/telemetry",
      sensor_id: "SENS999",
      received_at: new Date(NOW).toISOString(),
      payload: decode(bad[7]?.[1]),
      payload_encoding: "utf8",
    });
    expect(sum(METRIC.readingsQuarantined)).toBe(bad.length);
    expect(sum(METRIC.readingsQuarantined, { [REASON_DIMENSION]: "out_of_range" })).toBe(1);
  });

  it("keeps a payload that is not UTF-8 in base64", async () => {
    const message = { ...messageOf(goodPayload()), payload: Uint8Array.from([0xff, 0xfe, 0x00]) };
    const { handler } = setup();
    await handler(sqsEventOf([message]));
    expect(quarantinedLines()).toEqual([
      expect.objectContaining({ reason: "malformed_json", payload: "//4A", payload_encoding: "base64" }),
    ]);
  });

  it("quarantines an SQS body that is not a topic rule envelope, body and all", async () => {
    const event: SQSEvent = { Records: [sqsRecord("m-0", "hello")] };
    const { handler } = setup();
    const response = await handler(event);
    expect(failedIds(response)).toEqual([]);
    expect(quarantinedLines()).toEqual([
      expect.objectContaining({
        reason: "malformed_json",
        topic: "unknown",
        payload: "hello",
        payload_encoding: "utf8",
      }),
    ]);
    expect(quarantinedLines()[0]?.detail).toMatch(/envelope/);
  });

  it("retries exactly the rejected messages when the quarantine write fails", async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: "InternalError",
        $fault: "server",
        $metadata: { httpStatusCode: 500 },
        message: "We encountered an internal error.",
      }),
    );
    const messages = [
      ...validMessages(2),
      messageOf(goodPayload({ co2: 1 })),
      ...validMessages(1),
      messageOf("nope", { raw: true }),
    ];
    const { handler } = setup();

    const response = await handler(sqsEventOf(messages));

    expect(failedIds(response)).toEqual(["m-2", "m-4"]);
    expect(writeCalls()[0]?.Records).toHaveLength(3);
  });

  it("never fails storage when the stored-readings listener fails", async () => {
    const onStored = vi.fn(async () => {
      throw new Error("SNS is down");
    });
    const { handler, sum } = setup({ listener: { onStored } });

    const response = await handler(sqsEventOf(validMessages(4)));

    expect(failedIds(response)).toEqual([]);
    expect(onStored).toHaveBeenCalledTimes(1);
    expect(sum(METRIC.alertPublishFailures)).toBe(1);
  });

  it("accepts duplicates within a batch as the same record twice", async () => {
    const [message] = validMessages(1);
    const { handler } = setup();
    const response = await handler(sqsEventOf([message, message].filter((item) => item !== undefined)));
    const records = writeCalls()[0]?.Records ?? [];
    expect(failedIds(response)).toEqual([]);
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual(records[1]);
  });
});

describe("the transport-neutral pipeline", () => {
  it("reports what it stored, quarantined and wants retried, by message index", async () => {
    timestream.on(WriteRecordsCommand).resolvesOnce({}).rejects(throttling());
    const { pipeline } = setup();
    const messages = [...validMessages(101), messageOf(goodPayload({ sensor_id: "SENS999" }))];

    const outcome = await pipeline.ingest(messages);

    expect(outcome.stored).toBe(100);
    expect(outcome.retry).toEqual([100]);
    expect(outcome.quarantined).toEqual([
      expect.objectContaining({ reason: "unknown_sensor", sensorId: "SENS999", payloadEncoding: "utf8" }),
    ]);
  });
});

function decode(message: InboundMessage | undefined): string {
  return new TextDecoder().decode(message?.payload);
}
