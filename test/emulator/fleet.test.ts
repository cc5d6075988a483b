/**
 * `kaikai fleet` against the emulator's IoT control plane, with the thing group and the sensor
 * policy made as the stack makes them: a dry run lists and changes nothing, a real run attaches
 * the policy to the group and creates each thing once in it, a second run changes nothing, and a
 * certificate is issued with its private key in a file only its owner can read.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreatePolicyCommand,
  CreateThingGroupCommand,
  DescribeThingCommand,
  DescribeThingGroupCommand,
  ListAttachedPoliciesCommand,
  ListThingPrincipalsCommand,
  ListThingsInThingGroupCommand,
} from "@aws-sdk/client-iot";
import { afterAll, describe, expect, it } from "vitest";
import { sensorPolicyName, sensorThingGroupName } from "../../lambdas/bindings/resources.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { syncFleet } from "../../local/fleet/sync.js";
import { iotClient, uniqueName } from "./aws-emulator.js";

const iot = iotClient();
const stage = uniqueName("emu");
const out = mkdtempSync(join(tmpdir(), "kaikai-fleet-"));
const sensors = SENSORS.map((sensor) => ({ ...sensor, sensorId: `${stage}-${sensor.sensorId}` }));

async function run(options: { dryRun: boolean; certificateFor?: string }) {
  const lines: string[] = [];
  const result = await syncFleet({
    iot,
    stage,
    sensors,
    ...options,
    outDir: out,
    print: (line) => lines.push(line),
  });
  return { result, lines };
}

const groupPolicies = async () => {
  const group = await iot.send(new DescribeThingGroupCommand({ thingGroupName: sensorThingGroupName(stage) }));
  const attached = await iot.send(new ListAttachedPoliciesCommand({ target: group.thingGroupArn }));
  return (attached.policies ?? []).map((policy) => policy.policyName);
};

const thingsInGroup = async () =>
  (await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: sensorThingGroupName(stage) }))).things ?? [];

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("kaikai fleet against the emulator", () => {
  it("refuses to run before the stack made the thing group", async () => {
    await expect(run({ dryRun: true })).rejects.toThrow(/thing group .* not found: deploy the stack/);
  });

  it("lists the things a dry run would create, and creates none", async () => {
    await iot.send(new CreateThingGroupCommand({ thingGroupName: sensorThingGroupName(stage) }));
    await iot.send(
      new CreatePolicyCommand({
        policyName: sensorPolicyName(stage),
        policyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "iot:Connect", Resource: "*" }],
        }),
      }),
    );

    const { result, lines } = await run({ dryRun: true });

    expect(result.created).toEqual(sensors.map((sensor) => sensor.sensorId));
    expect(lines[0]).toBe(
      `would attach policy ${sensorPolicyName(stage)} to thing group ${sensorThingGroupName(stage)}`,
    );
    expect(lines.filter((line) => line.startsWith("would create thing"))).toHaveLength(sensors.length);
    expect(await thingsInGroup()).toEqual([]);
    expect(await groupPolicies()).toEqual([]);
  });

  it("creates each thing once, with its attributes, in the group; a second run changes nothing", async () => {
    const first = await run({ dryRun: false });
    expect(first.result.policyAttached).toBe(true);
    expect(await groupPolicies()).toEqual([sensorPolicyName(stage)]);
    expect(first.result.created).toHaveLength(sensors.length);
    expect((await thingsInGroup()).sort()).toEqual(sensors.map((sensor) => sensor.sensorId).sort());
    const medina = sensors.find((sensor) => sensor.locationName === "Dakar - Médina");
    const described = await iot.send(new DescribeThingCommand({ thingName: medina?.sensorId }));
    expect(described.attributes).toEqual({
      zone: "Commercial",
      location: "Dakar/Dakar_-_Medina",
      site: "lat:14.6953,lon:-17.4439,installed:2024-03-01,model:PMS5003",
    });

    const second = await run({ dryRun: false });
    expect(second.result).toMatchObject({ policyAttached: false, created: [], updated: [], grouped: [] });
    expect(second.lines).toEqual([
      `nothing to change: the ${sensors.length} sensors of the registry are things in ${sensorThingGroupName(stage)}`,
    ]);
  });

  it("leaves a thing the registry no longer lists, with its data", async () => {
    const [, ...remaining] = sensors;
    const lines: string[] = [];
    await syncFleet({ iot, stage, sensors: remaining, dryRun: false, print: (line) => lines.push(line) });
    expect(lines).toContainEqual(expect.stringMatching(/^left alone: thing .*-SENS001 is not in the registry/));
    expect(await thingsInGroup()).toContain(sensors[0]?.sensorId);
  });

  it("issues a certificate attached to the thing, its key in a file of mode 0600, never printed", async () => {
    const sensorId = sensors[1]?.sensorId ?? "";
    const { result, lines } = await run({ dryRun: false, certificateFor: sensorId });

    const keyFile = result.certificate?.keyFile ?? "";
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, "utf8");
    expect(key).toContain("PRIVATE KEY");
    expect(lines.join("\n")).not.toContain(key.trim().split("\n")[1] ?? "never");
    const principals = await iot.send(new ListThingPrincipalsCommand({ thingName: sensorId }));
    expect(principals.principals).toHaveLength(1);
    await expect(run({ dryRun: false, certificateFor: sensorId })).rejects.toThrow(/exists: move it away/);
  });
});
