import {
  GetThingShadowCommand,
  IoTDataPlaneClient,
  PublishCommand as IotPublishCommand,
} from "@aws-sdk/client-iot-data-plane";
import { SNSClient, PublishCommand as SnsPublishCommand } from "@aws-sdk/client-sns";
import { Uint8ArrayBlobAdapter } from "@smithy/core/serde";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it, vi } from "vitest";
import { createLazyAlertPorts } from "../../lambdas/aws/lazy-alerting.js";
import type { AlertNotice } from "../../lambdas/core/alert-types.js";

const sns = mockClient(SNSClient);
const iot = mockClient(IoTDataPlaneClient);

/** Counts the IoT data clients made, so that the test sees when (and how often) they are created. */
const iotClientsCreated = vi.hoisted(() => ({ count: 0 }));
vi.mock("../../lambdas/aws/iot-data.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../lambdas/aws/iot-data.js")>();
  return {
    ...original,
    createIotDataClient: (...args: Parameters<typeof original.createIotDataClient>) => {
      iotClientsCreated.count += 1;
      return original.createIotDataClient(...args);
    },
  };
});

describe("createLazyAlertPorts", () => {
  it("creates its clients on first use, once, and publishes and reads shadows through them", async () => {
    sns.on(SnsPublishCommand).resolves({ MessageId: "m" });
    iot.on(IotPublishCommand).resolves({});
    iot
      .on(GetThingShadowCommand)
      .resolves({ $metadata: {}, payload: Uint8ArrayBlobAdapter.fromString('{"state":{"reported":{}},"version":2}') });
    const ports = createLazyAlertPorts("arn:aws:sns:eu-west-1:123456789012:alerts");
    expect(sns.calls()).toHaveLength(0);
    expect(iotClientsCreated.count).toBe(0);

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
    expect(iotClientsCreated.count).toBe(1);

    expect(sns.commandCalls(SnsPublishCommand)[0]?.args[0].input.TopicArn).toBe(
      "arn:aws:sns:eu-west-1:123456789012:alerts",
    );
    expect(iot.commandCalls(IotPublishCommand)[0]?.args[0].input.topic).toBe("kaikai/alerts/SENS002");
  });
});
