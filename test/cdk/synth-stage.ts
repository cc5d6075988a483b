import { App, CfnElement, Stack, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import type { Sensor } from "../../lambdas/core/sensor.js";
import { SENSORS } from "../../lib/config/sensors.js";
import {
  parseStages,
  readCdkContext,
  STAGES_CONTEXT_KEY,
  type StageConfig,
  type StageName,
} from "../../lib/config/stages.js";
import type { KaikaiFunction } from "../../lib/constructs/kaikai-function.js";
import type { DynamoDbTables, TimestreamTables } from "../../lib/constructs/store-tables.js";
import { KaikaiStack } from "../../lib/kaikai-stack.js";

export interface SynthOptions {
  readonly config?: StageConfig;
  readonly sensors?: readonly Sensor[];
  /** Run esbuild for real; the other tests only read the template and skip it to stay fast. */
  readonly bundle?: boolean;
  /** Run cdk-nag's AwsSolutions checks as `cdk synth` does (bin/app.ts): a finding fails `app.synth()`. */
  readonly nag?: boolean;
}

export interface SynthesizedStage {
  readonly app: App;
  readonly stack: KaikaiStack;
  readonly template: Template;
}

/** cdk.json's context: the stages and the feature flags `cdk synth` runs with. */
export const CDK_CONTEXT = readCdkContext();

export const STAGES = parseStages(CDK_CONTEXT[STAGES_CONTEXT_KEY]);

/**
 * Builds the stage's stack the way `bin/app.ts` does (same context, same config) and synthesizes
 * it. Call it once per test file: each call costs a full synthesis.
 */
export function synthStage(stage: StageName, options: SynthOptions = {}): SynthesizedStage {
  const app = new App({
    // CDK's own template validation takes seconds per stack; CI runs cfn-lint on the real synth.
    builtinCloudFormationValidation: false,
    context: {
      ...CDK_CONTEXT,
      // As the CLI does: each function records where its bundle is.
      "aws:cdk:enable-asset-metadata": true,
      ...(options.bundle ? {} : { "aws:cdk:bundling-stacks": [] }),
    },
  });
  const stack = new KaikaiStack(app, `Kaikai-${stage}`, {
    stage,
    config: options.config ?? STAGES[stage],
    sensors: options.sensors ?? SENSORS,
    env: { account: "123456789012", region: "eu-west-1" },
  });
  if (options.nag) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    // Throws on any finding, as `cdk synth` fails.
    app.synth();
  }
  return { app, stack, template: Template.fromStack(stack) };
}

/** The stack's Timestream tables; throws when the stack was built for another store. */
export function timestreamTablesOf(stack: KaikaiStack): TimestreamTables {
  const { tables } = stack.storage;
  if (tables.kind !== "timestream") throw new Error(`the stack keeps its data in ${tables.kind}, not Timestream`);
  return tables;
}

/** The stack's DynamoDB tables; throws when the stack was built for another store. */
export function dynamoDbTablesOf(stack: KaikaiStack): DynamoDbTables {
  const { tables } = stack.storage;
  if (tables.kind !== "dynamodb") throw new Error(`the stack keeps its data in ${tables.kind}, not DynamoDB`);
  return tables;
}

/** The policy statement that refuses any request not made over TLS. */
export const DENY_PLAIN_HTTP = Match.objectLike({
  Effect: "Deny",
  Condition: { Bool: { "aws:SecureTransport": "false" } },
});

/** Template resources by logical id. */
export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** Resources of one type, by logical id. */
export function resourcesOfType(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** Logical id of the CloudFormation resource behind an L2 construct (or of an L1 itself). */
export function logicalIdOf(construct: IConstruct): string {
  const resource = CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild;
  if (!CfnElement.isCfnElement(resource)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(resource).getLogicalId(resource);
}

export interface Grant {
  readonly action: string;
  /** As in the template: "*", or a CloudFormation expression. */
  readonly resource: unknown;
}

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

interface IamPolicy {
  readonly Properties: { readonly Roles: unknown; readonly PolicyDocument: { readonly Statement: Statement[] } };
}

/** Every AWS::IAM::Policy of the template. */
export function iamPolicies(template: Template): IamPolicy[] {
  return Object.values(template.findResources("AWS::IAM::Policy")) as IamPolicy[];
}

/** Every (action, resource) pair the role's policies allow, however CDK merged the statements. */
export function grantsOf(template: Template, role: IConstruct): Grant[] {
  const roleId = logicalIdOf(role);
  return iamPolicies(template)
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .filter((statement) => statement.Effect === "Allow")
    .flatMap((statement) =>
      [statement.Action]
        .flat()
        .flatMap((action) => [statement.Resource].flat().map((resource) => ({ action, resource }))),
    );
}

/** A function's environment as the template sets it, deploy-time values stood in by their names. */
export function resolvedEnvironment(template: Template, fn: KaikaiFunction): NodeJS.ProcessEnv {
  const resource = template.toJSON().Resources[logicalIdOf(fn.lambda)] as {
    Properties: { Environment: { Variables: Record<string, unknown> } };
  };
  const variables = resource.Properties.Environment.Variables;
  return Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, standIn(key, value)]));
}

/** A deploy-time value with its literal parts kept, e.g. `https://resolved-IOT_DATA_ENDPOINT`. */
function standIn(key: string, value: unknown): string {
  if (typeof value === "string") return value;
  const join = (value as { "Fn::Join"?: [string, unknown[]] })["Fn::Join"];
  return join === undefined ? `resolved-${key}` : join[1].map((part) => standIn(key, part)).join(join[0]);
}
