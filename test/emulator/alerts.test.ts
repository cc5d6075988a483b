/**
 * Threshold alerts end to end on the emulator: the ingest handler stores readings and its
 * listener (the reading alerter) opens and resolves alerts, publishes them on SNS and on the IoT
 * data plane, and keeps their state in each sensor's named device shadow.
 *
 * moto 5.2 accepts IoT data-plane publishes but keeps them in-process with no API to read them
 * back, so for MQTT the test shows that every publish was accepted, not what a subscriber got.
 */
import { GetThingShadowCommand, IoTDataPlaneClient } from "@aws-sdk/client-iot-data-plane";
import type { Message } from "@aws-sdk/client-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { fanOutAlertSink, makeIotAlertSink, makeSnsAlertSink } from "../../lambdas/aws/alert-delivery.js";
import { makeShadowAlertStateStore } from "../../lambdas/aws/shadow-alert-state.js";
import { toEnvelopeBody } from "../../lambdas/aws/topic-rule-envelope.js";
import type { AlertNotice } from "../../lambdas/core/alerts.js";
import type { InboundMessage } from "../../lambdas/core/reading.js";
import { type AlertSink, type AlertStateStore, VersionConflictError } from "../../lambdas/ports.js";
import { makeReadingAlerter } from "../../lambdas/use-cases/evaluate-alerts.js";
import { loadStagesFromCdkJson } from "../../lib/config/stages.js";
import { goodPayload, messageOf } from "../fixtures/telemetry.js";
import {
  type AlertsTopic,
  createAlertsTopic,
  createBucket,
  createMeasurementsTable,
  createThing,
  emulatorEndpoint,
  emulatorIngestHandler,
  quietObservability,
  receiveAll,
  snsClient,
  uniqueName,
} from "./aws-emulator.js";
import { deliverThroughQueue } from "./lambda-event.js";

const MINUTE = 60_000;
const START = Math.floor(Date.now() / 1000) * 1000;
const SENSOR = "SENS001";
/** The dev stage's rules, as deployed: pm25 above 150 is critical, co2 above 2000 a warning. */
const RULES = loadStagesFromCdkJson().dev.alertRules;

const reading = (minutesAfterStart: number, values: Record<string, number>): InboundMessage =>
  messageOf(goodPayload({ sensor_id: SENSOR, timestamp: START + minutesAfterStart * MINUTE, ...values }), {
    receivedAt: START + minutesAfterStart * MINUTE + 500,
  });

describe("alerts against the emulator", () => {
  let topic: AlertsTopic;
  let states: AlertStateStore;
  let iotData: IoTDataPlaneClient;
  let shadowName: string;
  const accepted = { sns: 0, iot: 0 };
  const failures: unknown[] = [];
  let ingest: (messages: readonly InboundMessage[]) => Promise<unknown>;

  beforeAll(async () => {
    const { logger, metrics } = quietObservability();
    const [{ database, table }, bucket, alertsTopic] = await Promise.all([
      createMeasurementsTable(),
      createBucket(),
      createAlertsTopic(),
      createThing(SENSOR),
    ]);
    topic = alertsTopic;
    iotData = new IoTDataPlaneClient({ endpoint: emulatorEndpoint() });
    // A shadow of its own per run, so that a long-lived emulator's earlier state cannot leak in.
    shadowName = uniqueName("alert-state");
    states = makeShadowAlertStateStore({ client: iotData, shadowName });
    /** Counts what each real sink got through; a refused publish is kept to be shown. */
    const counted = (name: keyof typeof accepted, sink: AlertSink): AlertSink => ({
      async publish(notice) {
        try {
          await sink.publish(notice);
          accepted[name] += 1;
        } catch (error) {
          failures.push(error);
          throw error;
        }
      },
    });

    let clockNow = START;
    const clock = { now: () => clockNow };
    const handler = emulatorIngestHandler({
      database,
      table,
      bucket,
      clock,
      logger,
      metrics,
      listener: makeReadingAlerter({
        rules: RULES,
        states,
        sink: fanOutAlertSink([
          counted("sns", makeSnsAlertSink({ client: snsClient(), topicArn: topic.topicArn })),
          counted("iot", makeIotAlertSink({ client: iotData })),
        ]),
        logger,
        metrics,
      }),
    });
    ingest = async (messages) => {
      clockNow = Math.max(...messages.map((message) => message.receivedAt)) + 1000;
      return handler(await deliverThroughQueue(messages.map(toEnvelopeBody)));
    };
  });

  it("opens an alert per breached rule, delivered only to the queue whose filter matches its severity", async () => {
    await ingest([reading(0, { pm25: 182.5, co2: 2450 })]);

    const critical = await receiveAll(topic.queueUrls.critical, 1);
    const warning = await receiveAll(topic.queueUrls.warning, 1);
    const info = await receiveAll(topic.queueUrls.info, 0);

    expect(critical.map(summary)).toEqual([
      { ruleId: "pm25_reading_very_high", state: "opened", severity: "critical", value: 182.5, sensor_id: SENSOR },
    ]);
    expect(warning.map(summary)).toEqual([
      { ruleId: "co2_reading_high", state: "opened", severity: "warning", value: 2450, sensor_id: SENSOR },
    ]);
    expect(info).toEqual([]);
    expect(critical[0]?.MessageAttributes).toMatchObject({
      zone: { DataType: "String", StringValue: "Urban" },
      metric: { DataType: "String", StringValue: "pm25" },
    });
    expect(failures).toEqual([]);
    expect(accepted).toEqual({ sns: 2, iot: 2 });
  });

  it("keeps the open alerts in the sensor's named shadow, with a version", async () => {
    const saved = await states.load(SENSOR);
    expect(saved.version).toEqual(expect.any(Number));
    expect(saved.states).toEqual({
      pm25_reading_very_high: { openedAt: START, lastNotifiedAt: START },
      co2_reading_high: { openedAt: START, lastNotifiedAt: START },
    });
    // What an operator sees with `aws iot-data get-thing-shadow`.
    const { payload } = await iotData.send(new GetThingShadowCommand({ thingName: SENSOR, shadowName }));
    const document = JSON.parse(new TextDecoder().decode(payload)) as { state: { reported: { alerts: object } } };
    expect(Object.keys(document.state.reported.alerts).sort()).toEqual(["co2_reading_high", "pm25_reading_very_high"]);
  });

  it("refuses a save made from a stale version", async () => {
    const { states: current, version } = await states.load(SENSOR);
    if (version === null) throw new Error("the shadow should exist by now");
    await states.save(SENSOR, current, version);
    await expect(states.save(SENSOR, current, version)).rejects.toBeInstanceOf(VersionConflictError);
  });

  it("sends nothing while a breach holds within the reminder interval, then resolves below the hysteresis", async () => {
    await ingest([reading(5, { pm25: 170, co2: 2300 })]);
    expect(await receiveAll(topic.queueUrls.critical, 0)).toEqual([]);
    expect(await receiveAll(topic.queueUrls.warning, 0)).toEqual([]);

    // pm25 125 < 150 - 20 and co2 1700 < 2000 - 200: both rules clear.
    await ingest([reading(10, { pm25: 125, co2: 1700 })]);
    const critical = await receiveAll(topic.queueUrls.critical, 1);
    const warning = await receiveAll(topic.queueUrls.warning, 1);
    expect(critical.map(summary)).toEqual([
      { ruleId: "pm25_reading_very_high", state: "resolved", severity: "critical", value: 125, sensor_id: SENSOR },
    ]);
    expect(warning.map(summary)).toEqual([
      { ruleId: "co2_reading_high", state: "resolved", severity: "warning", value: 1700, sensor_id: SENSOR },
    ]);
    const { states: after } = await states.load(SENSOR);
    expect(Object.values(after).every((state) => state.openedAt === null)).toBe(true);
    expect(failures).toEqual([]);
    expect(accepted).toEqual({ sns: 4, iot: 4 });
  });
});

/** What a subscriber reads: the notice in the body (raw delivery) and the attributes it filters on. */
function summary(message: Message) {
  const notice = JSON.parse(message.Body ?? "{}") as AlertNotice;
  return {
    ruleId: notice.ruleId,
    state: notice.state,
    severity: message.MessageAttributes?.severity?.StringValue,
    value: notice.value,
    sensor_id: message.MessageAttributes?.sensor_id?.StringValue,
  };
}
