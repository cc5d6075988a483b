/**
 * Alerting in AWS: every notice to SNS and to MQTT (IoT Core), the state in each sensor's named
 * shadow. Each call is retried by its SDK client (standard mode: throttling and 5xx, with jittered
 * backoff); nothing here retries on top of it.
 */
import type { IoTDataPlaneClient } from "@aws-sdk/client-iot-data-plane";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { type AlertNotice, noticeSubject, noticeText } from "../core/alerts.js";
import type { Language } from "../core/aqi.js";
import { alertTopic } from "../core/topics.js";
import type { AlertSink, AlertStateStore } from "../ports.js";
import { publishJson } from "./iot-data.js";
import { makeShadowAlertStateStore } from "./shadow-alert-state.js";

/**
 * SNS with message attributes for filter policies. The message is JSON per protocol: e-mail gets
 * readable text, every other subscriber (SQS, Lambda, HTTPS) the notice as JSON.
 */
export function makeSnsAlertSink(deps: {
  readonly client: SNSClient;
  readonly topicArn: string;
  /** @default "en" */
  readonly language?: Language;
}): AlertSink {
  const language = deps.language ?? "en";
  return {
    async publish(notice: AlertNotice): Promise<void> {
      const attributes = Object.entries(noticeAttributes(notice)).map(([name, value]) => [
        name,
        { DataType: "String", StringValue: value },
      ]);
      await deps.client.send(
        new PublishCommand({
          TopicArn: deps.topicArn,
          Subject: noticeSubject(notice, language),
          MessageStructure: "json",
          Message: JSON.stringify({ default: JSON.stringify(notice), email: noticeText(notice, language) }),
          MessageAttributes: Object.fromEntries(attributes),
        }),
      );
    },
  };
}

/** MQTT on `kaikai/alerts/{sensorId}`, the notice as JSON. */
export function makeIotAlertSink(deps: { readonly client: IoTDataPlaneClient }): AlertSink {
  return { publish: (notice) => publishJson(deps.client, alertTopic(notice.sensorId), notice) };
}

/**
 * Delivers to every sink; throws if any of them fails, so that the alert state stays as it was and
 * the next evaluation sends the notice again (a sink that had succeeded may then see it twice:
 * delivery is at least once).
 */
export function fanOutAlertSink(sinks: readonly AlertSink[]): AlertSink {
  return {
    async publish(notice: AlertNotice): Promise<void> {
      const results = await Promise.allSettled(sinks.map((sink) => sink.publish(notice)));
      const failures = results.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
      if (failures.length > 0)
        throw new AggregateError(failures, `alert ${notice.ruleId} of ${notice.sensorId} not delivered`);
    },
  };
}

export interface AlertPorts {
  readonly sink: AlertSink;
  readonly states: AlertStateStore;
}

/** Both sinks fanned out, and the shadow state store, on the clients given. */
export function makeAwsAlertPorts(deps: {
  readonly sns: SNSClient;
  readonly iot: IoTDataPlaneClient;
  readonly topicArn: string;
  /** @default "en" */
  readonly language?: Language;
}): AlertPorts {
  return {
    sink: fanOutAlertSink([
      makeSnsAlertSink({
        client: deps.sns,
        topicArn: deps.topicArn,
        ...(deps.language ? { language: deps.language } : {}),
      }),
      makeIotAlertSink({ client: deps.iot }),
    ]),
    states: makeShadowAlertStateStore({ client: deps.iot }),
  };
}

/** The message attributes subscribers filter on by policy (ARCHITECTURE.md: severity, sensor_id, zone, metric, and the notice state). */
function noticeAttributes(notice: AlertNotice): Record<"severity" | "sensor_id" | "zone" | "metric" | "state", string> {
  return {
    severity: notice.severity,
    sensor_id: notice.sensorId,
    zone: notice.zone,
    metric: notice.metric,
    state: notice.state,
  };
}
