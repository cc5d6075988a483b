import { Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { describe, expect, it } from "vitest";
import { grantsOf, iamPolicies, logicalIdOf, resourcesOfType, STAGES, synthStage } from "./synth-stage.js";

/** Actions IAM authorizes on `*` only. */
const WITHOUT_RESOURCE_TYPE = new Set([
  "timestream:DescribeEndpoints",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
]);

const stages = [synthStage("dev"), synthStage("prod")] as const;

describe.each(stages)("$stack.stackName", ({ stack, template }) => {
  it("allows `*` as a resource only for actions that have no resource type: timestream:DescribeEndpoints, X-Ray's, and iot:DescribeEndpoint in the endpoint lookup", () => {
    const lookupRoles = JSON.stringify([{ Ref: logicalIdOf(stack.iotDataEndpoint.role) }]);
    const wildcards = iamPolicies(template).flatMap((policy) =>
      policy.Properties.PolicyDocument.Statement.filter((statement) => [statement.Resource].flat().includes("*")).map(
        (statement) => ({ lookup: JSON.stringify(policy.Properties.Roles) === lookupRoles, action: statement.Action }),
      ),
    );
    const functionActions = wildcards.filter(({ lookup }) => !lookup).flatMap(({ action }) => [action].flat());
    expect(new Set(functionActions)).toEqual(WITHOUT_RESOURCE_TYPE);
    expect(wildcards.filter((wildcard) => wildcard.lookup)).toEqual([{ lookup: true, action: "iot:DescribeEndpoint" }]);
  });

  it("traces every function of the stage in X-Ray", () => {
    for (const fn of stack.functions) {
      expect(template.toJSON().Resources[logicalIdOf(fn.lambda)].Properties.TracingConfig).toEqual({ Mode: "Active" });
    }
  });

  it("has no wildcard in any IAM action", () => {
    const actions = iamPolicies(template).flatMap((policy) =>
      policy.Properties.PolicyDocument.Statement.flatMap((statement) => [statement.Action].flat()),
    );
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => action.includes("*"))).toEqual([]);
  });

  it("attaches no managed policy to any role", () => {
    for (const role of Object.values(resourcesOfType(template, "AWS::IAM::Role"))) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });

  it("runs every function on Node.js 24, arm64, ESM with source maps, logging to its own log group", () => {
    const functions = resourcesOfType(template, "AWS::Lambda::Function");
    // Besides the stage's functions, only the provider of the IoT endpoint lookup (tested on its own).
    const houseIds = stack.functions.map((fn) => logicalIdOf(fn.lambda));
    const others = Object.entries(functions).filter(([id]) => !houseIds.includes(id));
    expect(others.map(([, fn]) => fn.Properties?.Role)).toEqual([
      { "Fn::GetAtt": [logicalIdOf(stack.iotDataEndpoint.role), "Arn"] },
    ]);
    for (const id of houseIds) {
      expect(functions[id]?.Properties).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/Logs/) } },
        Environment: {
          Variables: expect.objectContaining({
            NODE_OPTIONS: "--enable-source-maps",
            POWERTOOLS_SERVICE_NAME: "kaikai",
            POWERTOOLS_METRICS_NAMESPACE: "Kaikai",
            POWERTOOLS_LOG_LEVEL: "INFO",
            STAGE: stack.stage,
          }),
        },
      });
    }
  });

  it("keeps every function's logs for the stage's retention", () => {
    const logGroups = resourcesOfType(template, "AWS::Logs::LogGroup");
    for (const fn of stack.functions) {
      expect(logGroups[logicalIdOf(fn.logGroup)]?.Properties?.RetentionInDays).toBe(
        STAGES[stack.stage].logRetentionDays,
      );
    }
  });

  it("lets each function write only its own log group", () => {
    for (const fn of stack.functions) {
      const logGrants = grantsOf(template, fn.role).filter((grant) => grant.action.startsWith("logs:"));
      expect(logGrants.map((grant) => grant.resource)).toEqual([
        stack.resolve(fn.logGroup.logGroupArn),
        stack.resolve(fn.logGroup.logGroupArn),
      ]);
    }
  });

  it("encrypts every queue, topic, bucket and the database at rest", () => {
    for (const queue of Object.values(resourcesOfType(template, "AWS::SQS::Queue"))) {
      expect(queue.Properties?.KmsMasterKeyId).toEqual({ "Fn::GetAtt": [expect.any(String), "Arn"] });
    }
    for (const topic of Object.values(resourcesOfType(template, "AWS::SNS::Topic"))) {
      expect(topic.Properties?.KmsMasterKeyId).toBeDefined();
    }
    for (const bucket of Object.values(resourcesOfType(template, "AWS::S3::Bucket"))) {
      expect(bucket.Properties?.BucketEncryption).toBeDefined();
    }
    for (const database of Object.values(resourcesOfType(template, "AWS::Timestream::Database"))) {
      expect(database.Properties?.KmsKeyId).toBeDefined();
    }
    for (const key of Object.values(resourcesOfType(template, "AWS::KMS::Key"))) {
      expect(key.Properties?.EnableKeyRotation).toBe(true);
    }
  });

  it("passes cdk-nag AwsSolutions with no unacknowledged error or warning", () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const findings = report.violations.map(
      (violation) =>
        `${violation.severity} ${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(", ")}`,
    );
    expect(findings).toEqual([]);
  });

  it("acknowledges findings one by one, each on one resource, with a reason", () => {
    const acknowledgements = stack.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) =>
            Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ construct, id, reason })),
          ),
      );
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { construct, id, reason } of acknowledgements) {
      expect(isStackOrStage(construct), `${id} acknowledged on ${construct.node.path}`).toBe(false);
      expect(reason.length, `reason of ${id}`).toBeGreaterThan(40);
      if (id.includes("AwsSolutions-IAM5")) expect(id).toMatch(/AwsSolutions-IAM5\[Resource::.+\]$/);
    }
  });
});

function isStackOrStage(construct: IConstruct): boolean {
  return (
    construct.node.scope === undefined || construct === construct.node.root || construct.node.id.startsWith("Kaikai-")
  );
}
