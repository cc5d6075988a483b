import type { IoTDataPlaneClient } from "@aws-sdk/client-iot-data-plane";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { AlertSink, AlertStateStore } from "../ports.js";
import { fanOutAlertSink, makeIotAlertSink, makeSnsAlertSink } from "./alert-sinks.js";
import type { RetryOptions } from "./retry.js";
import { makeShadowAlertStateStore } from "./shadow-alert-state.js";

export interface AlertPorts {
  readonly sink: AlertSink;
  readonly states: AlertStateStore;
}

/** Alerting in AWS: every notice to SNS and to MQTT, the state in each sensor's named shadow. */
export function makeAwsAlertPorts(deps: {
  readonly sns: SNSClient;
  readonly iot: IoTDataPlaneClient;
  readonly topicArn: string;
  /** How each sink is retried; fanOutAlertSink's default when not given. */
  readonly retry?: RetryOptions;
}): AlertPorts {
  return {
    sink: fanOutAlertSink(
      [makeSnsAlertSink({ client: deps.sns, topicArn: deps.topicArn }), makeIotAlertSink({ client: deps.iot })],
      deps.retry,
    ),
    states: makeShadowAlertStateStore({ client: deps.iot }),
  };
}
