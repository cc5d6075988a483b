import {
  ConflictException,
  GetThingShadowCommand,
  IoTDataPlaneClient,
  PublishCommand as IotPublishCommand,
  ResourceNotFoundException,
  UpdateThingShadowCommand,
} from "@aws-sdk/client-iot-data-plane";
import { InternalErrorException, SNSClient, PublishCommand as SnsPublishCommand } from "@aws-sdk/client-sns";
import { Uint8ArrayBlobAdapter } from "@smithy/core/serde";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { makeAwsAlertPorts } from "../../lambdas/aws/alert-delivery.js";
import { METRIC } from "../../lambdas/bindings/metrics.js";
import { ALERT_SHADOW_NAME } from "../../lambdas/bindings/resources.js";
import type { SensorAlertStates } from "../../lambdas/core/alerts.js";
import type { EnrichedReading } from "../../lambdas/core/reading.js";
import { makeReadingAlerter } from "../../lambdas/use-cases/evaluate-alerts.js";
import { PM25_READING_VERY_HIGH } from "../fixtures/alerts.js";
import { decodePayload, fakeMetrics, silentLogger } from "../fixtures/fakes.js";
import { withQuality } from "../fixtures/telemetry.js";

const sns = mockClient(SNSClient);
const iot = mockClient(IoTDataPlaneClient);

const TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:kaikai-dev-alerts";
const T0 = Date.parse("2026-11-28T10:00:00Z");
const RULE = PM25_READING_VERY_HIGH;

const reading = (minute: number, pm25: number): EnrichedReading =>
  withQuality({
    sensorId: "SENS001",
    timestamp: T0 + minute * 60_000,
    pm25,
    temperature: 31,
    humidity: 40,
    co2: 600,
    locationName: "Dakar - Plateau",
    zone: "Urban",
    city: "Dakar",
    receivedAt: T0 + minute * 60_000 + 500,
  });

const shadowDocument = (document: unknown) => ({
  $metadata: {},
  payload: Uint8ArrayBlobAdapter.fromString(JSON.stringify(document)),
});
const shadow = (alerts: SensorAlertStates, version: number) =>
  shadowDocument({ state: { reported: { alerts } }, version });
const decode = decodePayload;

function setup() {
  const telemetry = fakeMetrics();
  const logger = silentLogger();
  const iotClient = new IoTDataPlaneClient({ region: "eu-west-1" });
  const alerter = makeReadingAlerter({
    rules: [RULE],
    ...makeAwsAlertPorts({
      sns: new SNSClient({ region: "eu-west-1" }),
      iot: iotClient,
      topicArn: TOPIC_ARN,
    }),
    logger,
    metrics: telemetry.metrics,
  });
  return { alerter, telemetry, logger };
}

beforeEach(() => {
  sns.reset();
  iot.reset();
  sns.on(SnsPublishCommand).resolves({ MessageId: "m-1" });
  iot.on(IotPublishCommand).resolves({});
  iot.on(UpdateThingShadowCommand).resolves({});
});

describe("makeReadingAlerter on SNS, IoT publish and the named shadow", () => {
  it("publishes an opened alert with its SNS attributes and on kaikai/alerts/{id}, then saves the shadow", async () => {
    iot.on(GetThingShadowCommand).resolves(shadow({}, 7));
    const { alerter, telemetry } = setup();

    await alerter.onStored([reading(0, 180), reading(1, 190)]);

    const [publish] = sns.commandCalls(SnsPublishCommand).map((call) => call.args[0].input);
    expect(sns.commandCalls(SnsPublishCommand)).toHaveLength(1);
    expect(publish?.TopicArn).toBe(TOPIC_ARN);
    expect(publish?.MessageAttributes).toEqual({
      severity: { DataType: "String", StringValue: "critical" },
      sensor_id: { DataType: "String", StringValue: "SENS001" },
      zone: { DataType: "String", StringValue: "Urban" },
      metric: { DataType: "String", StringValue: "pm25" },
      state: { DataType: "String", StringValue: "opened" },
    });
    expect(publish?.Subject).toBe("[CRITICAL] ALERT SENS001 pm25 180");
    expect(publish?.MessageStructure).toBe("json");
    const message = JSON.parse(publish?.Message ?? "{}") as { default: string; email: string };
    expect(JSON.parse(message.default)).toMatchObject({ state: "opened", value: 180, threshold: 150 });
    expect(message.email).toContain("SENS001 (Urban): pm25 = 180");

    const [mqtt] = iot.commandCalls(IotPublishCommand).map((call) => call.args[0].input);
    expect(mqtt?.topic).toBe("kaikai/alerts/SENS001");
    expect(mqtt?.qos).toBe(1);
    expect(decode(mqtt?.payload)).toMatchObject({ sensorId: "SENS001", ruleId: RULE.id, state: "opened" });

    const [update] = iot.commandCalls(UpdateThingShadowCommand).map((call) => call.args[0].input);
    expect(update?.thingName).toBe("SENS001");
    expect(update?.shadowName).toBe(ALERT_SHADOW_NAME);
    expect(decode(update?.payload)).toEqual({
      state: { reported: { alerts: { [RULE.id]: { openedAt: T0, lastNotifiedAt: T0 } } } },
      version: 7,
    });
    expect(telemetry.sum(METRIC.alertsOpened)).toBe(1);
  });

  it("publishes a resolved alert once the value falls below threshold - hysteresis", async () => {
    iot.on(GetThingShadowCommand).resolves(shadow({ [RULE.id]: { openedAt: T0, lastNotifiedAt: T0 } }, 3));
    const { alerter, telemetry } = setup();

    await alerter.onStored([reading(5, 140), reading(6, 120)]);

    const publishes = sns.commandCalls(SnsPublishCommand).map((call) => call.args[0].input);
    expect(publishes.map((input) => input.MessageAttributes?.state?.StringValue)).toEqual(["resolved"]);
    expect(publishes[0]?.Subject).toBe("[CRITICAL] RESOLVED SENS001 pm25 120");
    const mqtt = iot.commandCalls(IotPublishCommand).map((call) => call.args[0].input);
    expect(mqtt.map((input) => [input.topic, (decode(input.payload) as { state: string }).state])).toEqual([
      ["kaikai/alerts/SENS001", "resolved"],
    ]);
    const [update] = iot.commandCalls(UpdateThingShadowCommand).map((call) => call.args[0].input);
    expect(decode(update?.payload)).toEqual({
      state: { reported: { alerts: { [RULE.id]: { openedAt: null, lastNotifiedAt: T0 + 6 * 60_000 } } } },
      version: 3,
    });
    expect(telemetry.sum(METRIC.alertsResolved)).toBe(1);
  });

  it("reads a shadow that never existed as no state and creates it without a version", async () => {
    iot.on(GetThingShadowCommand).rejects(new ResourceNotFoundException({ message: "No shadow", $metadata: {} }));
    const { alerter } = setup();

    await alerter.onStored([reading(0, 200)]);

    const [update] = iot.commandCalls(UpdateThingShadowCommand).map((call) => call.args[0].input);
    expect(decode(update?.payload)).toEqual({
      state: { reported: { alerts: { [RULE.id]: { openedAt: T0, lastNotifiedAt: T0 } } } },
    });
  });

  it("reads a resolved rule whose openedAt the shadow merge deleted as closed", async () => {
    const merged = shadowDocument({
      state: { reported: { alerts: { [RULE.id]: { lastNotifiedAt: T0 } } } },
      version: 4,
    });
    iot.on(GetThingShadowCommand).resolves(merged);
    const { alerter } = setup();

    await alerter.onStored([reading(1, 200)]);

    expect(sns.commandCalls(SnsPublishCommand)[0]?.args[0].input.MessageAttributes?.state?.StringValue).toBe("opened");
  });

  it("reloads and re-applies on a shadow version conflict, without publishing twice", async () => {
    iot
      .on(GetThingShadowCommand)
      .resolvesOnce(shadow({}, 7))
      .resolvesOnce(shadow({ other_rule: { openedAt: null, lastNotifiedAt: T0 - 1 } }, 8));
    iot
      .on(UpdateThingShadowCommand)
      .rejectsOnce(new ConflictException({ message: "Version conflict", $metadata: {} }))
      .resolves({});
    const { alerter } = setup();

    await alerter.onStored([reading(0, 200)]);

    expect(iot.commandCalls(GetThingShadowCommand)).toHaveLength(2);
    const updates = iot.commandCalls(UpdateThingShadowCommand).map((call) => decode(call.args[0].input.payload));
    expect(updates.map((update) => (update as { version: number }).version)).toEqual([7, 8]);
    expect(sns.commandCalls(SnsPublishCommand)).toHaveLength(1);
    expect(iot.commandCalls(IotPublishCommand)).toHaveLength(1);
  });

  it("keeps the state when SNS keeps failing, so the next evaluation retries, and never throws", async () => {
    iot.on(GetThingShadowCommand).resolves(shadow({}, 7));
    sns.on(SnsPublishCommand).rejects(new InternalErrorException({ message: "boom", $metadata: {} }));
    const { alerter, telemetry, logger } = setup();

    await expect(alerter.onStored([reading(0, 200)])).resolves.toBeUndefined();

    // One send: the SNS client's own retry strategy runs inside it (the mock stands in for the whole call).
    expect(sns.commandCalls(SnsPublishCommand)).toHaveLength(1);
    expect(iot.commandCalls(UpdateThingShadowCommand)).toHaveLength(0);
    expect(telemetry.sum(METRIC.alertPublishFailures)).toBe(1);
    expect(telemetry.sum(METRIC.alertsOpened)).toBe(0);
    expect(logger.error).toHaveBeenCalled();

    sns.on(SnsPublishCommand).resolves({ MessageId: "m-2" });
    await alerter.onStored([reading(1, 210)]);
    expect(sns.commandCalls(SnsPublishCommand).at(-1)?.args[0].input.MessageAttributes?.state?.StringValue).toBe(
      "opened",
    );
    expect(iot.commandCalls(UpdateThingShadowCommand)).toHaveLength(1);
  });

  it("saves the state of the notices delivered before a failure", async () => {
    iot.on(GetThingShadowCommand).resolves(shadow({}, 7));
    sns
      .on(SnsPublishCommand)
      .resolvesOnce({ MessageId: "m-1" })
      .rejects(new InternalErrorException({ message: "boom", $metadata: {} }));
    const { alerter } = setup();

    await alerter.onStored([reading(0, 200), reading(1, 100)]);

    const updates = iot.commandCalls(UpdateThingShadowCommand).map((call) => decode(call.args[0].input.payload));
    expect(updates).toEqual([
      { state: { reported: { alerts: { [RULE.id]: { openedAt: T0, lastNotifiedAt: T0 } } } }, version: 7 },
    ]);
  });

  it("does not touch the shadow when no rule fires", async () => {
    iot.on(GetThingShadowCommand).resolves(shadow({}, 7));
    const { alerter } = setup();
    await alerter.onStored([reading(0, 20)]);
    expect(iot.commandCalls(UpdateThingShadowCommand)).toHaveLength(0);
    expect(sns.commandCalls(SnsPublishCommand)).toHaveLength(0);
  });
});
