/**
 * `kaikai fleet`: the registry's things in a stage's account, at any fleet size. The stack owns
 * the thing group and the sensor policy (lib/constructs/fleet.ts); this attaches the policy to the
 * group, so that every certificate attached to one of its things holds it, however it was issued
 * (CloudFormation cannot attach a policy to a thing group), makes the things that are missing,
 * with their attributes, in that group, and on request issues a sensor its certificate. It never
 * deletes a thing: a sensor taken out of the registry keeps its thing, its certificate and its
 * data. Idempotent: a second run changes nothing.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  DescribeThingCommand,
  DescribeThingGroupCommand,
  type IoTClient,
  paginateListAttachedPolicies,
  paginateListThingsInThingGroup,
  UpdateThingCommand,
} from "@aws-sdk/client-iot";
import { sensorPolicyName, sensorThingGroupName } from "../../lambdas/bindings/resources.js";
import type { Sensor } from "../../lambdas/core/sensor.js";
import { thingAttributes } from "./things.js";

export interface FleetSyncOptions {
  readonly iot: IoTClient;
  readonly stage: string;
  readonly sensors: readonly Sensor[];
  /** Say what would change, change nothing. */
  readonly dryRun: boolean;
  /** Issue a certificate for this registry sensor, into `outDir`. */
  readonly certificateFor?: string;
  readonly outDir?: string;
  /** One line per change, and a summary. */
  readonly print: (line: string) => void;
}

export interface FleetSyncResult {
  /** The sensor policy was attached to the thing group by this run. */
  readonly policyAttached: boolean;
  readonly created: readonly string[];
  readonly updated: readonly string[];
  readonly grouped: readonly string[];
  /** Things of the group that the registry no longer lists, left as they are. */
  readonly leftAlone: readonly string[];
  readonly certificate?: { readonly sensorId: string; readonly certificateFile: string; readonly keyFile: string };
}

export class FleetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FleetError";
  }
}

const isNotFound = (error: unknown): boolean => error instanceof Error && error.name === "ResourceNotFoundException";

async function describeThing(iot: IoTClient, thingName: string) {
  try {
    return await iot.send(new DescribeThingCommand({ thingName }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function hasPolicy(iot: IoTClient, target: string, policyName: string): Promise<boolean> {
  for await (const page of paginateListAttachedPolicies({ client: iot }, { target })) {
    if ((page.policies ?? []).some((policy) => policy.policyName === policyName)) return true;
  }
  return false;
}

async function groupMembers(iot: IoTClient, thingGroupName: string): Promise<Set<string>> {
  const members = new Set<string>();
  for await (const page of paginateListThingsInThingGroup({ client: iot }, { thingGroupName })) {
    for (const thing of page.things ?? []) members.add(thing);
  }
  return members;
}

const sameAttributes = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>> | undefined) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());

export async function syncFleet(options: FleetSyncOptions): Promise<FleetSyncResult> {
  const { iot, stage, sensors, dryRun, print } = options;
  const thingGroupName = sensorThingGroupName(stage);
  const policyName = sensorPolicyName(stage);
  const verb = (now: string, would: string) => (dryRun ? would : now);
  const group = await iot.send(new DescribeThingGroupCommand({ thingGroupName })).catch((error: unknown) => {
    if (isNotFound(error)) {
      throw new FleetError(`thing group ${thingGroupName} not found: deploy the stack of stage ${stage} first`);
    }
    throw error;
  });
  const groupArn = group.thingGroupArn;
  if (groupArn === undefined) throw new FleetError(`IoT Core returned no ARN for thing group ${thingGroupName}`);
  const policyAttached = !(await hasPolicy(iot, groupArn, policyName));
  if (policyAttached) {
    print(`${verb("attached", "would attach")} policy ${policyName} to thing group ${thingGroupName}`);
    if (!dryRun) await iot.send(new AttachPolicyCommand({ policyName, target: groupArn }));
  }
  const members = await groupMembers(iot, thingGroupName);
  const created: string[] = [];
  const updated: string[] = [];
  const grouped: string[] = [];
  for (const sensor of sensors) {
    const thingName = sensor.sensorId;
    const attributes = thingAttributes(sensor);
    const thing = await describeThing(iot, thingName);
    if (thing === undefined) {
      print(
        `${verb("created", "would create")} thing ${thingName} (${sensor.zone}, ${sensor.city}) in ${thingGroupName}`,
      );
      created.push(thingName);
      if (!dryRun) {
        await iot.send(new CreateThingCommand({ thingName, attributePayload: { attributes } }));
        await iot.send(new AddThingToThingGroupCommand({ thingName, thingGroupName }));
      }
      continue;
    }
    if (!sameAttributes(attributes, thing.attributes)) {
      print(`${verb("updated", "would update")} the attributes of thing ${thingName} from the registry`);
      updated.push(thingName);
      if (!dryRun) {
        await iot.send(new UpdateThingCommand({ thingName, attributePayload: { attributes, merge: false } }));
      }
    }
    if (!members.has(thingName)) {
      print(`${verb("added", "would add")} thing ${thingName} to ${thingGroupName}`);
      grouped.push(thingName);
      if (!dryRun) await iot.send(new AddThingToThingGroupCommand({ thingName, thingGroupName }));
    }
  }
  const registered = new Set(sensors.map((sensor) => sensor.sensorId));
  const leftAlone = [...members].filter((thing) => !registered.has(thing)).sort();
  for (const thing of leftAlone)
    print(`left alone: thing ${thing} is not in the registry; its thing and its data are kept`);

  const certificate =
    options.certificateFor === undefined
      ? undefined
      : await issueCertificate(options, options.certificateFor, policyName, registered);
  const changes =
    Number(policyAttached) + created.length + updated.length + grouped.length + (certificate === undefined ? 0 : 1);
  print(
    changes === 0
      ? `nothing to change: the ${sensors.length} sensors of the registry are things in ${thingGroupName}`
      : `${dryRun ? "would change" : "changed"}: ${policyAttached ? "policy attached to the group, " : ""}${created.length} created, ${updated.length} updated, ${grouped.length} added to the group${certificate === undefined ? "" : ", 1 certificate"}`,
  );
  return {
    policyAttached,
    created,
    updated,
    grouped,
    leftAlone,
    ...(certificate === undefined ? {} : { certificate }),
  };
}

/**
 * A new certificate for a registry sensor, active, with the stage's sensor policy and attached to
 * the sensor's thing. The private key goes only to a file of mode 0600 that must not exist yet:
 * AWS gives it out once, and it is never printed.
 */
async function issueCertificate(
  options: FleetSyncOptions,
  sensorId: string,
  policyName: string,
  registered: ReadonlySet<string>,
): Promise<FleetSyncResult["certificate"]> {
  if (!registered.has(sensorId))
    throw new FleetError(`${sensorId} is not in the registry: add it to sensors.json first`);
  const outDir = options.outDir ?? ".";
  const certificateFile = join(outDir, `${sensorId}.cert.pem`);
  const keyFile = join(outDir, `${sensorId}.private.key`);
  // Checked before asking for one: AWS gives a private key out once, and an issued certificate
  // whose key cannot be written would be of no use to anyone.
  for (const file of [certificateFile, keyFile]) {
    if (existsSync(file)) throw new FleetError(`${file} exists: move it away or give another --out`);
  }
  if (options.dryRun) {
    options.print(
      `would issue a certificate for ${sensorId} into ${certificateFile} and ${keyFile}, with policy ${policyName}`,
    );
    return { sensorId, certificateFile, keyFile };
  }
  const { iot } = options;
  const issued = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  const { certificateArn, certificatePem, keyPair } = issued;
  if (certificateArn === undefined || certificatePem === undefined || keyPair?.PrivateKey === undefined) {
    throw new FleetError("IoT Core returned no certificate or key");
  }
  writeFileSync(keyFile, keyPair.PrivateKey, { mode: 0o600, flag: "wx" });
  writeFileSync(certificateFile, certificatePem, { mode: 0o644, flag: "wx" });
  await iot.send(new AttachPolicyCommand({ policyName, target: certificateArn }));
  await iot.send(new AttachThingPrincipalCommand({ thingName: sensorId, principal: certificateArn }));
  options.print(
    `issued certificate ${issued.certificateId ?? certificateArn} for ${sensorId}: ${certificateFile}, private key in ${keyFile} (mode 0600), policy ${policyName}`,
  );
  return { sensorId, certificateFile, keyFile };
}
