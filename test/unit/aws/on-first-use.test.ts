import {
  GetThingShadowCommand,
  IoTDataPlaneClient,
  PublishCommand as IotPublishCommand,
} from "@aws-sdk/client-iot-data-plane";
import { SNSClient, PublishCommand as SnsPublishCommand } from "@aws-sdk/client-sns";
import { Uint8ArrayBlobAdapter } from "@smithy/core/serde";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { makeAwsAlertPorts } from "../../../lambdas/aws/alert-delivery.js";
import { createIotDataClient } from "../../../lambdas/aws/iot-data.js";
import { alertPortsOnFirstUse, onFirstUse } from "../../../lambdas/aws/on-first-use.js";
import { anAlertNotice } from "../../fixtures/alerts.js";

const sns = mockClient(SNSClient);
const iot = mockClient(IoTDataPlaneClient);

describe("alertPortsOnFirstUse", () => {
  it("creates its clients on first use, once, and publishes and reads shadows through them", async () => {
    sns.on(SnsPublishCommand).resolves({ MessageId: "m" });
    iot.on(IotPublishCommand).resolves({});
    iot
      .on(GetThingShadowCommand)
      .resolves({ $metadata: {}, payload: Uint8ArrayBlobAdapter.fromString('{"state":{"reported":{}},"version":2}') });
    let clientsCreated = 0;
    const ports = alertPortsOnFirstUse(async () => {
      clientsCreated += 1;
      return makeAwsAlertPorts({
        sns: new SNSClient({ region: "eu-west-1" }),
        iot: createIotDataClient(undefined, { region: "eu-west-1" }),
        topicArn: "arn:aws:sns:eu-west-1:123456789012:alerts",
      });
    });
    expect(sns.calls()).toHaveLength(0);
    expect(clientsCreated).toBe(0);

    await ports.sink.publish(anAlertNotice({ sensorId: "SENS002", zone: "Residential" }));
    expect(await ports.states.load("SENS002")).toEqual({ states: {}, version: 2 });
    expect(clientsCreated).toBe(1);

    expect(sns.commandCalls(SnsPublishCommand)[0]?.args[0].input.TopicArn).toBe(
      "arn:aws:sns:eu-west-1:123456789012:alerts",
    );
    expect(iot.commandCalls(IotPublishCommand)[0]?.args[0].input.topic).toBe("kaikai/alerts/SENS002");
  });
});

describe("onFirstUse", () => {
  it("loads once, however many callers ask at the same time", async () => {
    let loads = 0;
    const client = onFirstUse(async () => {
      loads += 1;
      return { id: loads };
    });
    expect(loads).toBe(0);
    const [first, second] = await Promise.all([client(), client()]);
    expect(first).toBe(second);
    expect(loads).toBe(1);
  });
});
