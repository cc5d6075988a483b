/**
 * The ingest use case on the DynamoDB store, wired as the Lambda entry wires it, with the SDK
 * client mocked by an in-memory table that keeps DynamoDB's transaction rules.
 */

import { DynamoDBClient, ProvisionedThroughputExceededException } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createDynamoDbReadingStore } from "../../lambdas/aws/dynamodb/readings.js";
import { makeSqsIngestHandler } from "../../lambdas/aws/sqs-batch.js";
import { METRIC, REASON_DIMENSION } from "../../lambdas/bindings/metrics.js";
import { makeIngest } from "../../lambdas/use-cases/ingest.js";
import { fakeReadingsTable } from "../fixtures/fake-dynamodb.js";
import { fakeMetrics, mockedAwsIngestDeps, silentLogger } from "../fixtures/fakes.js";
import { goodPayload, MAX_READING_AGE_MS, messageOf, NOW, sqsEventOf, validMessages } from "../fixtures/telemetry.js";

const s3 = mockClient(S3Client);
let table: ReturnType<typeof fakeReadingsTable>;

function setup() {
  const telemetry = fakeMetrics();
  const clock = { now: () => NOW };
  const base = mockedAwsIngestDeps({ clock, bucket: "quarantine", logger: silentLogger(), metrics: telemetry.metrics });
  const store = createDynamoDbReadingStore({
    client: new DynamoDBClient({ region: "eu-west-1" }),
    table: "readings",
    retentionMs: MAX_READING_AGE_MS,
    retryDelayMs: 0,
  });
  return { handler: makeSqsIngestHandler(makeIngest({ ...base, store }), clock), ...telemetry };
}

const quarantined = () =>
  s3
    .commandCalls(PutObjectCommand)
    .flatMap((call) => String(call.args[0].input.Body).trimEnd().split("\n"))
    .map((line) => JSON.parse(line) as { reason: string; detail: string });

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
  table = fakeReadingsTable();
});

describe("the ingest handler on DynamoDB", () => {
  it("writes 250 readings in 3 transactions of at most 100 conditional puts, with the contract's field names", async () => {
    const { handler, sum } = setup();

    const response = await handler(sqsEventOf(validMessages(250)));

    expect(response.batchItemFailures).toEqual([]);
    expect(table.transactions().map((input) => input.TransactItems?.length)).toEqual([100, 100, 50]);
    expect(table.items.size).toBe(250);
    const [first] = table.transactions()[0]?.TransactItems ?? [];
    expect(first?.Put).toMatchObject({
      TableName: "readings",
      ConditionExpression: "attribute_not_exists(sensor_id)",
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    });
    const item = unmarshall(first?.Put?.Item ?? {});
    expect(Object.keys(item).sort()).toEqual(
      [
        "sensor_id",
        "timestamp",
        "pm25",
        "temperature",
        "humidity",
        "co2",
        "location_name",
        "zone",
        "city",
        "received_at",
        "expires_at",
        "pm25_corrected",
        "correction",
        "quality_flags",
      ].sort(),
    );
    // The raw value kept, the corrected one beside it with its formula (PMS5003: the EPA's).
    expect(item).toMatchObject({ correction: "epa_barkjohn_2022@1", quality_flags: [] });
    expect(item.pm25_corrected).not.toBe(item.pm25);
    expect(item.expires_at).toBe(Math.floor((item.timestamp + MAX_READING_AGE_MS) / 1000));
    expect(sum(METRIC.readingsStored)).toBe(250);
    expect(sum(METRIC.writeRecordsCalls)).toBe(3);
  });

  it("writes nothing new for a replayed batch, and counts it stored", async () => {
    const { handler, sum } = setup();
    await handler(sqsEventOf(validMessages(5, NOW - 2000)));
    const calls = table.transactions().length;

    const response = await handler(sqsEventOf(validMessages(5, NOW - 1000)));

    expect(response.batchItemFailures).toEqual([]);
    expect(table.transactions()).toHaveLength(calls + 1);
    expect(table.items.size).toBe(5);
    expect(quarantined()).toEqual([]);
    expect(sum(METRIC.readingsStored)).toBe(10);
  });

  it("quarantines a re-send with other values as conflicting_duplicate and keeps the first values", async () => {
    const { handler, sum } = setup();
    const at = "2026-11-28T10:00:00Z";
    await handler(sqsEventOf([messageOf(goodPayload({ timestamp: at, pm25: 9.5 }))]));

    const response = await handler(
      sqsEventOf([messageOf(goodPayload({ timestamp: at, pm25: 999 })), ...validMessages(2)]),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect([...table.items.values()].map((item) => unmarshall(item).pm25)).toContain(9.5);
    expect([...table.items.values()].map((item) => unmarshall(item).pm25)).not.toContain(999);
    expect(table.items.size).toBe(3);
    const [line] = quarantined();
    expect(line?.reason).toBe("conflicting_duplicate");
    expect(line?.detail).toContain("pm25 9.5 (sent 999)");
    expect(sum(METRIC.readingsQuarantined, { [REASON_DIMENSION]: "conflicting_duplicate" })).toBe(1);
  });

  it("stores a reading delivered twice in one batch once: DynamoDB takes one action per item", async () => {
    const { handler } = setup();
    const twice = messageOf(goodPayload({ timestamp: "2026-11-28T10:01:00Z" }));

    const response = await handler(sqsEventOf([twice, twice, ...validMessages(1)]));

    expect(response.batchItemFailures).toEqual([]);
    expect(table.items.size).toBe(2);
    for (const input of table.transactions()) {
      const keys = (input.TransactItems ?? []).map(
        ({ Put }) => `${Put?.Item?.sensor_id?.S}/${Put?.Item?.timestamp?.N}`,
      );
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(quarantined()).toEqual([]);
  });

  it("tries a throttled reading again in the next transaction, and stores the batch", async () => {
    const { handler } = setup();
    const messages = validMessages(3);
    const held = JSON.parse(new TextDecoder().decode(messages[1]?.payload)) as { sensor_id: string; timestamp: number };
    table.holdBack(held.sensor_id, held.timestamp, "ThrottlingError", 1);

    const response = await handler(sqsEventOf(messages));

    expect(response.batchItemFailures).toEqual([]);
    expect(table.items.size).toBe(3);
    // The two others go in again at once, without it; it follows after a backoff.
    expect(table.transactions().map((input) => input.TransactItems?.length)).toEqual([3, 2, 1]);
  });

  it("reports exactly the readings still throttled after its retries as batch item failures", async () => {
    const { handler, sum } = setup();
    const messages = validMessages(4);
    const held = JSON.parse(new TextDecoder().decode(messages[2]?.payload)) as { sensor_id: string; timestamp: number };
    table.holdBack(held.sensor_id, held.timestamp, "ThrottlingError", 100);

    const response = await handler(sqsEventOf(messages));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "m-2" }]);
    expect(table.items.size).toBe(3);
    expect(sum(METRIC.readingsStored)).toBe(3);
    expect(quarantined()).toEqual([]);
  });

  it("retries exactly the readings of a call that was throttled whole", async () => {
    const { handler } = setup();
    table.failNextCall(new ProvisionedThroughputExceededException({ message: "slow down", $metadata: {} }));
    const messages = validMessages(150);

    const response = await handler(sqsEventOf(messages));

    // The first call (readings 0 to 99) was refused whole; the second (100 to 149) went through.
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      Array.from({ length: 100 }, (_, index) => `m-${index}`),
    );
    expect(table.items.size).toBe(50);
  });
});
