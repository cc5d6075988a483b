import {
  GetThingShadowCommand,
  IoTDataPlaneClient,
  PublishCommand as IotPublishCommand,
} from "@aws-sdk/client-iot-data-plane";
import { SNSClient, PublishCommand as SnsPublishCommand } from "@aws-sdk/client-sns";
import { Uint8ArrayBlobAdapter } from "@smithy/core/serde";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { createLazyAlertPorts } from "../../lambdas/aws/lazy-alerting.js";
import type { AlertNotice } from "../../lambdas/core/alert-types.js";

const sns = mockClient(SNSClient);
const iot = mockClient(IoTDataPlaneClient);

describe("createLazyAlertPorts", () => {
  it("creates the SNS and IoT clients on first use and publishes through them", async () => {
    sns.on(SnsPublishCommand).resolves({ MessageId: "m" });
    iot.on(IotPublishCommand).resolves({});
    iot
      .on(GetThingShadowCommand)
      .resolves({ $metadata: {}, payload: Uint8ArrayBlobAdapter.fromString('{"state":{"reported":{}},"version":2}') });
    const ports = createLazyAlertPorts("arn:aws:sns:eu-west-1:123456789012:alerts");
    expect(sns.calls()).toHaveLength(0);

    const notice: AlertNotice = {
      sensorId: "SENS002",
      zone: "Residential",
      ruleId: "co2_reading_high",
      metric: "co2",
      severity: "warning",
      state: "opened",
      value: 2400,
      threshold: 2000,
      at: "2026-11-28T10:00:00.000Z",
      openedAt: "2026-11-28T10:00:00.000Z",
    };
    await ports.sink.publish(notice);
    expect(await ports.states.load("SENS002")).toEqual({ states: {}, version: 2 });

    expect(sns.commandCalls(SnsPublishCommand)[0]?.args[0].input.TopicArn).toBe(
      "arn:aws:sns:eu-west-1:123456789012:alerts",
    );
    expect(iot.commandCalls(IotPublishCommand)[0]?.args[0].input.topic).toBe("kaikai/alerts/SENS002");
  });
});
