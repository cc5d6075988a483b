import { describe, expect, it } from "vitest";
import { grantsOf, logicalIdOf, resourcesOfType, STAGES, synthStage } from "./synth-stage.js";

const { stack, template } = synthStage("prod");
const lookupId = logicalIdOf(stack.iotDataEndpoint.lookup.node.findChild("Resource"));
const endpointUrl = { "Fn::Join": ["", ["https://", { "Fn::GetAtt": [lookupId, "endpointAddress"] }]] };

describe("the IoT data endpoint lookup", () => {
  it("asks IoT for the account's ATS data endpoint on create and on update", () => {
    const lookup = resourcesOfType(template, "Custom::AWS")[lookupId];
    for (const phase of ["Create", "Update"]) {
      expect(JSON.parse(String(lookup?.Properties?.[phase]))).toMatchObject({
        service: "@aws-sdk/client-iot",
        action: "DescribeEndpoint",
        parameters: { endpointType: "iot:Data-ATS" },
      });
    }
    expect(lookup?.Properties?.InstallLatestAwsSdk).toBe(false);
  });

  it("gives every function IOT_DATA_ENDPOINT as https:// and the address the lookup returns", () => {
    const functions = resourcesOfType(template, "AWS::Lambda::Function");
    for (const fn of stack.functions) {
      expect(functions[logicalIdOf(fn.lambda)]?.Properties?.Environment, fn.label).toMatchObject({
        Variables: { IOT_DATA_ENDPOINT: endpointUrl },
      });
    }
  });

  it("lets the lookup call iot:DescribeEndpoint and write its own log group, nothing else", () => {
    const { role, logGroup } = stack.iotDataEndpoint;
    const grants = grantsOf(template, role);
    expect(grants.filter((grant) => !grant.action.startsWith("logs:"))).toEqual([
      { action: "iot:DescribeEndpoint", resource: "*" },
    ]);
    for (const grant of grants.filter((grant) => grant.action.startsWith("logs:"))) {
      expect(grant.resource).toEqual(stack.resolve(logGroup.logGroupArn));
    }
    expect(
      resourcesOfType(template, "AWS::IAM::Role")[logicalIdOf(role)]?.Properties?.ManagedPolicyArns,
    ).toBeUndefined();
  });

  it("keeps the lookup's logs for the stage's retention", () => {
    const logGroup = resourcesOfType(template, "AWS::Logs::LogGroup")[logicalIdOf(stack.iotDataEndpoint.logGroup)];
    expect(logGroup?.Properties?.RetentionInDays).toBe(STAGES.prod.logRetentionDays);
  });
});
