/**
 * A fleet of a thousand sensors, under every AWS limit that a stack of one resource (and one
 * environment entry) per sensor used to break: Lambda's 4 KB of environment a function,
 * CloudFormation's 500 resources and 1 MB a template. The registry travels in the bundles, and
 * the ingest bundle built from it knows its 1,000th sensor.
 */
import { rmSync } from "node:fs";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toEnvelopeBody } from "../../lambdas/aws/topic-rule-envelope.js";
import { telemetryTopic } from "../../lambdas/core/topics.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { fleetOf } from "../../local/simulator/fleet.js";
import { type BuiltBundles, bundlesOf, invokeBundle } from "../bundles/bundled-functions.js";
import { type FakeAws, startFakeAws } from "../bundles/fake-aws.js";
import { goodPayload, sqsRecord } from "../fixtures/telemetry.js";
import { logicalIdOf, type SynthesizedStage, synthStage } from "./synth-stage.js";

const FLEET = fleetOf(SENSORS, 1000);
const LAMBDA_ENVIRONMENT_LIMIT = 4 * 1024;
const STACK_RESOURCE_LIMIT = 500;
const TEMPLATE_BYTES_LIMIT = 1024 * 1024;

let synthesized: SynthesizedStage;
let bundles: BuiltBundles;
let fakeAws: FakeAws;

beforeAll(async () => {
  synthesized = synthStage("dev", { sensors: FLEET, bundle: true });
  bundles = bundlesOf(synthesized);
  fakeAws = await startFakeAws();
}, 240_000);

afterAll(async () => {
  await fakeAws?.close();
  if (bundles) rmSync(bundles.outdir, { recursive: true, force: true });
});

describe("a stack for 1,000 sensors", () => {
  it("synthesizes with cdk-nag's AwsSolutions checks clean", () => {
    expect(() => synthStage("dev", { sensors: FLEET, nag: true })).not.toThrow();
  });

  it("gives every function an environment under Lambda's 4 KB", () => {
    const resources = synthesized.template.toJSON().Resources;
    for (const fn of synthesized.stack.functions) {
      const variables = resources[logicalIdOf(fn.lambda)].Properties.Environment.Variables as Record<string, unknown>;
      // Lambda counts the keys and the values; a deploy-time value is at most an ARN's length.
      const size = Object.entries(variables).reduce(
        (total, [key, value]) => total + key.length + (typeof value === "string" ? value.length : 256),
        0,
      );
      expect(size, fn.label).toBeLessThan(LAMBDA_ENVIRONMENT_LIMIT);
    }
  });

  it("stays under 500 resources and 1 MB of template", () => {
    const template = synthesized.template.toJSON();
    expect(Object.keys(template.Resources).length).toBeLessThan(STACK_RESOURCE_LIMIT);
    expect(Buffer.byteLength(JSON.stringify(template))).toBeLessThan(TEMPLATE_BYTES_LIMIT);
  });

  it("bundles the registry into the ingest function: its 1,000th sensor is enriched, an unknown one quarantined", async () => {
    const last = FLEET.at(-1);
    if (last === undefined) throw new Error("empty fleet");
    const ingest = bundles.functions.ingest;
    if (ingest === undefined) throw new Error("no ingest bundle");
    const now = Date.now();
    const readings = [last.sensorId, "SIM9999"].map((sensorId) =>
      goodPayload({ sensor_id: sensorId, timestamp: new Date(now - 60_000).toISOString() }),
    );
    const event: SQSEvent = {
      Records: readings.map((reading, index) =>
        sqsRecord(
          `scale-${index}`,
          toEnvelopeBody({
            payload: new TextEncoder().encode(JSON.stringify(reading)),
            topic: telemetryTopic(String(reading.sensor_id)),
            receivedAt: now,
          }),
        ),
      ),
    };

    const { result } = await invokeBundle(ingest, event, fakeAws);

    expect(result).toEqual({ batchItemFailures: [] });
    const [write] = fakeAws.callsOf("timestream-write", "WriteRecords");
    const records = (
      JSON.parse(write?.body ?? "{}") as { Records: { Dimensions: { Name: string; Value: string }[] }[] }
    ).Records;
    expect(records.map((record) => Object.fromEntries(record.Dimensions.map((d) => [d.Name, d.Value])))).toEqual([
      { sensor_id: last.sensorId, location_name: last.locationName, zone: last.zone, city: last.city },
    ]);
    const [quarantined] = fakeAws.callsOf("s3", "PutObject");
    expect(JSON.parse(quarantined?.body.trim() ?? "{}")).toMatchObject({
      reason: "unknown_sensor",
      sensor_id: "SIM9999",
    });
  });
});
