import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { TimestreamWriteClient, WriteRecordsCommand } from "@aws-sdk/client-timestream-write";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BUNDLED_CONFIG_IDENTIFIER } from "../../lambdas/bindings/bundled-config.js";
import { ENV } from "../../lambdas/bindings/environment.js";
import { METRIC, METRICS_NAMESPACE } from "../../lambdas/bindings/metrics.js";
import { DEV_BUNDLED_CONFIG } from "../fixtures/bundled.js";
import { lambdaContext } from "../fixtures/lambda-context.js";
import { goodPayload, messageOf, sqsEventOf } from "../fixtures/telemetry.js";

const context = lambdaContext("kaikai-staging-ingest");

const timestream = mockClient(TimestreamWriteClient);
const s3 = mockClient(S3Client);

beforeAll(() => {
  vi.stubEnv("AWS_REGION", "eu-west-1");
  vi.stubEnv(ENV.stage, "staging");
  // What the house construct has esbuild define at synth; the registry only, so no alerting.
  vi.stubGlobal(BUNDLED_CONFIG_IDENTIFIER, JSON.stringify({ registry: DEV_BUNDLED_CONFIG.registry }));
  vi.stubEnv(ENV.timestreamDatabase, "kaikai-staging");
  vi.stubEnv(ENV.measurementsTable, "measurements");
  vi.stubEnv(ENV.quarantineBucket, "kaikai-staging-quarantine");
  vi.stubEnv(ENV.maxReadingAgeDays, "365");
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
  timestream.on(WriteRecordsCommand).resolves({});
  s3.on(PutObjectCommand).resolves({});
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

describe("the ingest Lambda entry", () => {
  it("wires Timestream, the S3 quarantine and EMF metrics with the stage from its environment", async () => {
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const { handler } = await import("../../lambdas/handlers/ingest.js");
    // The clock is real here, so the readings must be recent.
    const now = Date.now();
    const messages = [
      messageOf(goodPayload({ sensor_id: "SENS001", timestamp: now - 1000 }), { receivedAt: now }),
      messageOf(goodPayload({ sensor_id: "SENS002", timestamp: now - 1000 }), { receivedAt: now }),
      messageOf(goodPayload({ pm25: -1, timestamp: now }), { receivedAt: now }),
    ];

    const response = await handler(sqsEventOf(messages), context);
    const emf = stdout.mock.calls.map(([chunk]) => String(chunk)).join("");
    stdout.mockRestore();

    expect(response.batchItemFailures).toEqual([]);
    expect(timestream.commandCalls(WriteRecordsCommand)[0]?.args[0].input).toMatchObject({
      DatabaseName: "kaikai-staging",
      TableName: "measurements",
    });
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Bucket).toBe("kaikai-staging-quarantine");
    const blobs = emf
      .split("\n")
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line));
    const stored = blobs.find((blob) => METRIC.readingsStored in blob);
    expect(stored).toMatchObject({ [METRIC.readingsStored]: 2, stage: "staging", service: "kaikai" });
    expect(stored._aws.CloudWatchMetrics[0].Namespace).toBe(METRICS_NAMESPACE);
    expect(blobs.find((blob) => blob.reason === "out_of_range")).toMatchObject({ [METRIC.readingsQuarantined]: 1 });
  });
});
