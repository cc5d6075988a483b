import { Stack } from "aws-cdk-lib";
import { CfnPolicy, CfnThingGroup } from "aws-cdk-lib/aws-iot";
import { Construct } from "constructs";
import { sensorPolicyName, sensorThingGroupName } from "../../lambdas/bindings/resources.js";
import { telemetryTopic } from "../../lambdas/core/topics.js";

/** The IoT policy variable that a connected, certificate-attached thing resolves to. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IoT policy variable, resolved by IoT Core, not by JavaScript.
const THING_NAME_VARIABLE = "${iot:Connection.Thing.ThingName}";

export interface FleetProps {
  readonly stage: string;
}

/**
 * What the fleet shares, and only that: a thing group for the stage's sensors and one policy
 * (which `kaikai fleet` attaches to the group, so every certificate of one of its things holds
 * it) that lets a thing connect only with its own name as client id and publish only on its own
 * telemetry topic. The things themselves (one per registry sensor, named by its id) are made by
 * `kaikai fleet` against the account, not by the stack: a stack holds at most 500 resources, and
 * a new sensor should not need a stack update.
 * Certificates are issued outside CloudFormation so that private keys never enter a template.
 */
export class Fleet extends Construct {
  public readonly thingGroup: CfnThingGroup;
  public readonly sensorPolicy: CfnPolicy;

  constructor(scope: Construct, id: string, props: FleetProps) {
    super(scope, id);
    this.thingGroup = new CfnThingGroup(this, "SensorThingGroup", {
      thingGroupName: sensorThingGroupName(props.stage),
      thingGroupProperties: { thingGroupDescription: `Kaikai ${props.stage} air-quality sensors` },
    });

    const stack = Stack.of(this);
    this.sensorPolicy = new CfnPolicy(this, "SensorPolicy", {
      policyName: sensorPolicyName(props.stage),
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
