import { App, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { SENSORS } from "../lib/config/sensors.js";
import {
  parseStages,
  STAGE_NAMES,
  STAGES_CONTEXT_KEY,
  STORE_CONTEXT_KEY,
  withStoreOverride,
} from "../lib/config/stages.js";
import { KaikaiStack } from "../lib/kaikai-stack.js";

const app = new App();
const stages = withStoreOverride(
  parseStages(app.node.tryGetContext(STAGES_CONTEXT_KEY)),
  app.node.tryGetContext(STORE_CONTEXT_KEY),
);

for (const stage of STAGE_NAMES) {
  const stack = new KaikaiStack(app, `Kaikai-${stage}`, {
    stage,
    config: stages[stage],
    sensors: SENSORS,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: `Kaikai air-quality pipeline (${stage}): IoT Core, ingest, ${stages[stage].store === "dynamodb" ? "DynamoDB" : "Timestream"}, roll-ups, alerts`,
  });
  // CloudFormation's published schema (and so cfn-lint) has no Tags on dashboards yet.
  const tagOptions = { excludeResourceTypes: ["AWS::CloudWatch::Dashboard"] };
  Tags.of(stack).add("project", "kaikai", tagOptions);
  Tags.of(stack).add("stage", stage, tagOptions);
}

Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
