import { Stack } from "aws-cdk-lib";
import { CfnPolicy, CfnThing } from "aws-cdk-lib/aws-iot";
import { Construct } from "constructs";
import type { Sensor } from "../../lambdas/core/sensor.js";
import { telemetryTopic } from "../../lambdas/core/topics.js";

/** The IoT policy variable that a connected, certificate-attached thing resolves to. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IoT policy variable, resolved by IoT Core, not by JavaScript.
const THING_NAME_VARIABLE = "${iot:Connection.Thing.ThingName}";

export interface FleetProps {
  readonly stage: string;
  /** The registry: one thing per sensor, named by its sensor id. */
  readonly sensors: readonly Sensor[];
}

/**
 * One IoT thing per registry sensor (named by its id, so its telemetry topic carries the id the
 * payload must match) and one policy, attached to every sensor certificate, that lets a thing
 * connect only with its own name as client id and publish only on its own telemetry topic.
 * Certificates are issued outside CloudFormation so that private keys never enter a template.
 */
export class Fleet extends Construct {
  public readonly things: ReadonlyMap<string, CfnThing>;
  public readonly sensorPolicy: CfnPolicy;
  public readonly thingNames: readonly string[];

  constructor(scope: Construct, id: string, props: FleetProps) {
    super(scope, id);

    const things = new Map<string, CfnThing>();
    for (const sensor of props.sensors) {
      const thing = new CfnThing(this, `Thing${sensor.sensorId}`, {
        thingName: sensor.sensorId,
        attributePayload: { attributes: thingAttributes(sensor) },
      });
      things.set(sensor.sensorId, thing);
    }
    this.things = things;
    this.thingNames = props.sensors.map((sensor) => sensor.sensorId);

    const stack = Stack.of(this);
    this.sensorPolicy = new CfnPolicy(this, "SensorPolicy", {
      policyName: `kaikai-${props.stage}-sensor`,
      policyDocument: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: "iot:Connect",
            Resource: stack.formatArn({ service: "iot", resource: "client", resourceName: THING_NAME_VARIABLE }),
            Condition: { Bool: { "iot:Connection.Thing.IsAttached": "true" } },
          },
          {
            Effect: "Allow",
            Action: "iot:Publish",
            Resource: stack.formatArn({
              service: "iot",
              resource: "topic",
              resourceName: telemetryTopic(THING_NAME_VARIABLE),
            }),
          },
        ],
      },
    });
  }
}

/** Thing attribute values allow only `[a-zA-Z0-9_.,@/:#-]`: accents are folded, the rest becomes `_`. */
function toThingAttributeValue(value: string): string {
  return value
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[^a-zA-Z0-9_.,@/:#-]/g, "_");
}

/**
 * CloudFormation cannot give a thing a type, and a thing without one holds at most three
 * attributes, so the registry's fields are packed into three searchable ones.
 */
function thingAttributes(sensor: Sensor): Record<string, string> {
  return {
    zone: sensor.zone,
    location: toThingAttributeValue(`${sensor.city}/${sensor.locationName}`),
    site: `lat:${sensor.latitude},lon:${sensor.longitude},installed:${sensor.installationDate}`,
  };
}
