/**
 * `kaikai fleet` on a mocked IoT client: what it sends for a fleet that is partly there, that a
 * dry run sends no change at all, and that a thing's attributes follow the registry.
 */
import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DescribeThingCommand,
  DescribeThingGroupCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListThingsInThingGroupCommand,
  UpdateThingCommand,
} from "@aws-sdk/client-iot";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { Sensor } from "../../../../lambdas/core/sensor.js";
import { SENSORS } from "../../../../lib/config/sensors.js";
import { syncFleet } from "../../../../local/fleet/sync.js";
import { thingAttributes } from "../../../../local/fleet/things.js";

const iot = mockClient(IoTClient);
const GROUP_ARN = "arn:aws:iot:eu-west-1:123456789012:thinggroup/kaikai-dev-sensors";
function sensorAt(index: number): Sensor {
  const sensor = SENSORS[index];
  if (sensor === undefined) throw new Error(`the registry has no sensor ${index}`);
  return sensor;
}
const [first, second, third] = [sensorAt(0), sensorAt(1), sensorAt(2)];

/** SENS001 is a thing in the group as the registry has it; SENS002 is one with old attributes, outside the group. */
function accountWithTwoThings(): void {
  iot.on(DescribeThingGroupCommand).resolves({ thingGroupArn: GROUP_ARN });
  iot.on(ListAttachedPoliciesCommand).resolves({ policies: [] });
  iot.on(ListThingsInThingGroupCommand).resolves({ things: [first.sensorId] });
  iot
    .on(DescribeThingCommand)
    .rejects(Object.assign(new Error("no such thing"), { name: "ResourceNotFoundException" }));
  iot.on(DescribeThingCommand, { thingName: first.sensorId }).resolves({ attributes: thingAttributes(first) });
  iot.on(DescribeThingCommand, { thingName: second.sensorId }).resolves({ attributes: { zone: "Urban" } });
}

async function sync(dryRun: boolean, certificateFor?: string) {
  const lines: string[] = [];
  const result = await syncFleet({
    iot: new IoTClient({ region: "eu-west-1" }),
    stage: "dev",
    sensors: SENSORS,
    dryRun,
    ...(certificateFor === undefined ? {} : { certificateFor, outDir: "/nonexistent" }),
    print: (line) => lines.push(line),
  });
  return { result, lines };
}

const CHANGES = [
  AttachPolicyCommand,
  CreateThingCommand,
  UpdateThingCommand,
  AddThingToThingGroupCommand,
  CreateKeysAndCertificateCommand,
].map((command) => command.name);
/** The commands sent that change the account. */
const changesSent = () =>
  iot
    .calls()
    .flatMap((call) => (CHANGES.includes(call.args[0].constructor.name) ? [call.args[0].constructor.name] : []));

beforeEach(() => iot.reset());

describe("kaikai fleet", () => {
  it("attaches the policy to the group, creates the missing things and brings the others in line", async () => {
    accountWithTwoThings();
    const { result, lines } = await sync(false);

    expect(iot.commandCalls(AttachPolicyCommand)[0]?.args[0].input).toEqual({
      policyName: "kaikai-dev-sensor",
      target: GROUP_ARN,
    });
    expect(result.created).toEqual(SENSORS.slice(2).map((sensor) => sensor.sensorId));
    expect(iot.commandCalls(CreateThingCommand)[0]?.args[0].input).toEqual({
      thingName: third.sensorId,
      attributePayload: { attributes: thingAttributes(third) },
    });
    expect(result.updated).toEqual([second.sensorId]);
    expect(iot.commandCalls(UpdateThingCommand)[0]?.args[0].input).toEqual({
      thingName: second.sensorId,
      attributePayload: { attributes: thingAttributes(second), merge: false },
    });
    expect(result.grouped).toEqual([second.sensorId]);
    expect(iot.commandCalls(AddThingToThingGroupCommand).map((call) => call.args[0].input.thingName)).toEqual(
      SENSORS.slice(1).map((sensor) => sensor.sensorId),
    );
    expect(lines.at(-1)).toBe("changed: policy attached to the group, 3 created, 1 updated, 1 added to the group");
  });

  it("says what a dry run would do and sends no change", async () => {
    accountWithTwoThings();
    const { lines } = await sync(true);

    expect(changesSent()).toEqual([]);
    expect(lines).toContain(
      `would create thing ${third.sensorId} (${third.zone}, ${third.city}) in kaikai-dev-sensors`,
    );
    expect(lines.at(-1)).toBe("would change: policy attached to the group, 3 created, 1 updated, 1 added to the group");
  });

  it("issues no certificate for a sensor the registry does not list", async () => {
    accountWithTwoThings();
    await expect(sync(false, "SENS999")).rejects.toThrow(
      "SENS999 is not in the registry: add it to sensors.json first",
    );
    expect(iot.commandCalls(CreateKeysAndCertificateCommand)).toEqual([]);
  });

  it("stops before any change when the stage's thing group does not exist", async () => {
    iot
      .on(DescribeThingGroupCommand)
      .rejects(Object.assign(new Error("not found"), { name: "ResourceNotFoundException" }));
    await expect(sync(false)).rejects.toThrow(
      "thing group kaikai-dev-sensors not found: deploy the stack of stage dev first",
    );
    expect(changesSent()).toEqual([]);
  });
});
