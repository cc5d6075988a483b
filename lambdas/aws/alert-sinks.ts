import type { IoTDataPlaneClient } from "@aws-sdk/client-iot-data-plane";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { AlertNotice } from "../core/alert-types.js";
import { noticeAttributes, noticeSubject, noticeText } from "../core/alerts.js";
import { alertTopic } from "../core/reading.js";
import type { AlertSink } from "../ports.js";
import { publishJson } from "./iot-data.js";
import { type RetryOptions, withRetry } from "./retry.js";

const DEFAULT_PUBLISH_RETRY: RetryOptions = { attempts: 3, baseDelayMs: 200 };

/**
 * SNS with message attributes for filter policies. The message is JSON per protocol: e-mail gets
 * readable text, every other subscriber (SQS, Lambda, HTTPS) the notice as JSON.
 */
export function makeSnsAlertSink(deps: { readonly client: SNSClient; readonly topicArn: string }): AlertSink {
  return {
    async publish(notice: AlertNotice): Promise<void> {
      const attributes = Object.entries(noticeAttributes(notice)).map(([name, value]) => [
        name,
        { DataType: "String", StringValue: value },
      ]);
      await deps.client.send(
        new PublishCommand({
          TopicArn: deps.topicArn,
          Subject: noticeSubject(notice),
          MessageStructure: "json",
          Message: JSON.stringify({ default: JSON.stringify(notice), email: noticeText(notice) }),
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
 * Delivers to every sink, each retried on its own; throws if any of them still fails, so that the
 * alert state stays as it was and the next evaluation sends the notice again (a sink that had
 * succeeded may then see it twice: delivery is at least once).
 */
export function fanOutAlertSink(sinks: readonly AlertSink[], retry: RetryOptions = DEFAULT_PUBLISH_RETRY): AlertSink {
  return {
    async publish(notice: AlertNotice): Promise<void> {
      const results = await Promise.allSettled(sinks.map((sink) => withRetry(() => sink.publish(notice), retry)));
      const failures = results.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
      if (failures.length > 0)
        throw new AggregateError(failures, `alert ${notice.ruleId} of ${notice.sensorId} not delivered`);
    },
  };
}
