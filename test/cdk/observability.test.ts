import { readdirSync, readFileSync } from "node:fs";
import { App, CfnElement, Stack, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Code, Function as LambdaFunction, Runtime } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from "../../lambdas/bindings/metrics.js";
import { REASON_CODES } from "../../lambdas/core/reading.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { loadStagesFromCdkJson, type StageName } from "../../lib/config/stages.js";
import { Observability } from "../../lib/constructs/observability.js";
import type { KaikaiStack } from "../../lib/kaikai-stack.js";
import { DENY_PLAIN_HTTP, synthStage } from "./synth-stage.js";

const STAGES = loadStagesFromCdkJson();
const RULE_NAME = "kaikai_telemetry_rule";
const FUNCTION_LABELS = ["ingest", "hourly-rollup", "zone-rollup"] as const;

interface Synthesized {
  readonly template: Template;
  readonly stack: Stack;
}

function synthesize(stage: StageName): Synthesized {
  const app = new App();
  const stack = new Stack(app, `Observed-${stage}`, { env: { account: "111111111111", region: "eu-west-1" } });
  const functions = Object.fromEntries(
    FUNCTION_LABELS.map((label) => [
      label,
      new LambdaFunction(stack, `Fn-${label}`, {
        runtime: Runtime.NODEJS_22_X,
        handler: "index.handler",
        code: Code.fromInline("exports.handler = async () => ({})"),
        logGroup: new LogGroup(stack, `Logs-${label}`, { retention: RetentionDays.ONE_WEEK }),
      }),
    ]),
  );
  const queue = (id: string) => new Queue(stack, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
  new Observability(stack, "Observability", {
    stage,
    config: STAGES[stage],
    functions,
    queues: { ingest: queue("Buffer") },
    deadLetterQueues: { ingest: queue("IngestDlq"), schedules: queue("ScheduleDlq") },
    topicRuleName: RULE_NAME,
  });
  return { template: Template.fromStack(stack), stack };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The dashboard body with every CloudFormation token (Ref, GetAtt) replaced by a placeholder string. */
function dashboardBody(template: Template): { widgets: { type: string; properties: Record<string, Json> }[] } {
  const dashboards = Object.values(template.findResources("AWS::CloudWatch::Dashboard"));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]?.Properties.DashboardBody as string | { "Fn::Join": [string, Json[]] };
  const text =
    typeof body === "string"
      ? body
      : body["Fn::Join"][1].map((part) => (typeof part === "string" ? part : "TOKEN")).join(body["Fn::Join"][0]);
  return JSON.parse(text);
}

/** Metric names of the Kaikai namespace that the dashboard's graphs read (including inside math). */
function kaikaiMetricNames(template: Template): Set<string> {
  const names = new Set<string>();
  for (const widget of dashboardBody(template).widgets) {
    const metrics = widget.properties.metrics;
    if (!Array.isArray(metrics)) continue;
    for (const row of metrics) {
      if (Array.isArray(row) && row[0] === METRICS_NAMESPACE && typeof row[1] === "string") names.add(row[1]);
    }
  }
  return names;
}

function alarmProperties(template: Template, alarmName: string): Record<string, Json> {
  const alarms = template.findResources("AWS::CloudWatch::Alarm", { Properties: { AlarmName: alarmName } });
  const found = Object.values(alarms);
  expect(found, alarmName).toHaveLength(1);
  return found[0]?.Properties as Record<string, Json>;
}

function opsTopicRef(template: Template): { Ref: string } {
  const topics = template.findResources("AWS::SNS::Topic", {
    Properties: { DisplayName: Match.stringLikeRegexp("ops") },
  });
  const ids = Object.keys(topics);
  expect(ids).toHaveLength(1);
  return { Ref: ids[0] ?? "" };
}

describe.each(["dev", "prod"] as const)("Observability (%s)", (stage) => {
  const config = STAGES[stage];
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthesize(stage);
  });
  const name = (id: string) => `kaikai-${stage}-${id}`;

  it("encrypts the ops topic with a rotated key that only this stage's alarms may use, and refuses plain HTTP", () => {
    const { template } = synthesized;
    const ownAlarmsOnly = {
      StringEquals: { "aws:SourceAccount": "111111111111" },
      ArnLike: {
        "aws:SourceArn": {
          "Fn::Join": [
            "",
            ["arn:", { Ref: "AWS::Partition" }, `:cloudwatch:eu-west-1:111111111111:alarm:kaikai-${stage}-*`],
          ],
        },
      },
    };
    template.hasResourceProperties("AWS::SNS::Topic", {
      DisplayName: `Kaikai ${stage} ops`,
      KmsMasterKeyId: Match.objectLike({ "Fn::GetAtt": Match.anyValue() }),
    });
    template.hasResourceProperties("AWS::KMS::Key", {
      EnableKeyRotation: true,
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Condition: ownAlarmsOnly,
          }),
        ]),
      }),
    });
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          DENY_PLAIN_HTTP,
          Match.objectLike({
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Condition: ownAlarmsOnly,
          }),
        ]),
      }),
    });
  });

  it("subscribes exactly the stage's ops emails", () => {
    const { template } = synthesized;
    const subscriptions = template.findResources("AWS::SNS::Subscription", {
      Properties: { Protocol: "email", TopicArn: opsTopicRef(template) },
    });
    expect(Object.values(subscriptions).map((s) => s.Properties.Endpoint)).toEqual(config.opsEmails);
  });

  it("pages the ops topic from every alarm, on alarm and on recovery", () => {
    const { template } = synthesized;
    const alarms = Object.values(template.findResources("AWS::CloudWatch::Alarm"));
    const expectedCount = FUNCTION_LABELS.length + 2 + 1 + 1 + 1 + (config.ops.minActiveSensors > 0 ? 1 : 0) + 2;
    expect(alarms).toHaveLength(expectedCount);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions, alarm.Properties.AlarmName).toEqual([opsTopicRef(template)]);
      expect(alarm.Properties.OKActions, alarm.Properties.AlarmName).toEqual([opsTopicRef(template)]);
    }
  });

  it.each(FUNCTION_LABELS)("alarms on any error of the %s function", (label) => {
    expect(alarmProperties(synthesized.template, name(`errors-${label}`))).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Statistic: "Sum",
      Period: 300,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      EvaluationPeriods: 1,
      TreatMissingData: "notBreaching",
    });
  });

  it.each(["ingest", "schedules"])("alarms when one message sits in the %s dead-letter queue", (label) => {
    expect(alarmProperties(synthesized.template, name(`dlq-${label}`))).toMatchObject({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Statistic: "Maximum",
      Period: 300,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
    });
  });

  it.each([
    ["ingest", "npx kaikai dlq redrive --stage {stage} --queue ingest"],
    ["schedules", "npx kaikai rollup --stage {stage} --since <hour>"],
  ])("says in the %s dead-letter alarm what to run: %s", (label, command) => {
    expect(alarmProperties(synthesized.template, name(`dlq-${label}`)).AlarmDescription).toContain(
      command.replace("{stage}", stage),
    );
  });

  it("alarms on any failed action of the telemetry rule", () => {
    const alarm = alarmProperties(synthesized.template, name("iot-rule-action-failures"));
    expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: "GreaterThanThreshold", EvaluationPeriods: 1 });
    expect(alarm.Metrics).toEqual([
      expect.objectContaining({
        Expression: `SELECT SUM(Failure) FROM "AWS/IoT" WHERE RuleName = '${RULE_NAME}'`,
        Period: 300,
        ReturnData: true,
      }),
    ]);
  });

  it("alarms when the reject share passes the stage's percentage", () => {
    const alarm = alarmProperties(synthesized.template, name("reject-share"));
    expect(alarm).toMatchObject({
      Threshold: config.ops.rejectSharePercent,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
    });
    const metrics = alarm.Metrics as { Id: string; Expression?: string; MetricStat?: Record<string, Json> }[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe("100 * FILL(quarantined, 0) / received");
    for (const [id, metricName] of [
      ["quarantined", METRIC.readingsQuarantined],
      ["received", METRIC.readingsReceived],
    ] as const) {
      expect(metrics.find((m) => m.Id === id)?.MetricStat).toEqual({
        Metric: {
          Namespace: METRICS_NAMESPACE,
          MetricName: metricName,
          Dimensions: [
            { Name: "service", Value: METRICS_SERVICE },
            { Name: "stage", Value: stage },
          ],
        },
        Period: 900,
        Stat: "Sum",
      });
    }
  });

  it("alarms when no reading is stored for the stage's silent minutes, missing data included", () => {
    expect(alarmProperties(synthesized.template, name("no-reading-stored"))).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: METRIC.readingsStored,
      Dimensions: [
        { Name: "service", Value: METRICS_SERVICE },
        { Name: "stage", Value: stage },
      ],
      Statistic: "Sum",
      Period: config.ops.silentMinutes * 60,
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
    });
  });

  it("alarms when fewer sensors than the stage expects were active", () => {
    expect(alarmProperties(synthesized.template, name("active-sensors-low"))).toMatchObject({
      MetricName: METRIC.activeSensors,
      Statistic: "Maximum",
      Period: 3600,
      Threshold: config.ops.minActiveSensors,
      ComparisonOperator: "LessThanThreshold",
    });
  });

  it.each([
    ["hourly-rollup-missed", METRIC.hourlyRollupRuns],
    ["zone-rollup-missed", METRIC.zoneRollupRuns],
  ])("alarms (%s) when %s did not succeed for two hours", (id, metricName) => {
    expect(alarmProperties(synthesized.template, name(id))).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: metricName,
      Statistic: "Sum",
      Period: 3600,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
    });
  });

  it("draws only metrics the code emits, and every one of them", () => {
    const drawn = kaikaiMetricNames(synthesized.template);
    const emitted = new Set<string>(Object.values(METRIC));
    expect([...drawn].filter((metricName) => !emitted.has(metricName))).toEqual([]);
    expect([...emitted].filter((metricName) => !drawn.has(metricName))).toEqual([]);
  });

  it("shows the reject mix with one line per reason code and the registry's count", () => {
    const widgets = dashboardBody(synthesized.template).widgets;
    const mix = widgets.find((w) => w.properties.title === "Reject mix by reason");
    const reasons = ((mix?.properties.metrics ?? []) as Json[][]).map((row) => row[row.indexOf("reason") + 1]);
    expect(reasons).toEqual([...REASON_CODES]);
    const active = widgets.find((w) => w.properties.title === "Active sensors per hour vs the registry");
    expect(JSON.stringify(active?.properties.annotations)).toContain(`"value":${SENSORS.length}`);
  });

  it("reads Lambda memory from the functions' REPORT log lines", () => {
    const logWidget = dashboardBody(synthesized.template).widgets.find((w) => w.type === "log");
    expect(String(logWidget?.properties.query)).toContain("maxMemoryUsed");
  });

  it("adds no cdk-nag AwsSolutions finding and acknowledges none", () => {
    const own = (path: string) => path.includes("/Observability/");
    const findings = new AwsSolutionsChecks()
      .validateScope(synthesized.stack)
      .violations.flatMap((violation) =>
        violation.violatingResources
          .filter((resource) => own(resource.constructPath ?? ""))
          .map((resource) => `${violation.ruleName}: ${resource.constructPath}`),
      );
    expect(findings).toEqual([]);
    const acknowledged = synthesized.stack.node
      .findAll()
      .filter((construct) => own(construct.node.path))
      .flatMap((construct) =>
        construct.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY),
      );
    expect(acknowledged).toEqual([]);
  });
});

describe("Observability in the Kaikai stack", () => {
  let stack: KaikaiStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = synthStage("dev"));
  });
  const logicalId = (construct: IConstruct): string => {
    const resource = CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild;
    if (resource === undefined || !CfnElement.isCfnElement(resource))
      throw new Error(`${construct.node.path} has no resource`);
    return stack.getLogicalId(resource);
  };

  it("alarms on the errors of every function of the stage", () => {
    expect(stack.functions.length).toBeGreaterThan(0);
    for (const fn of stack.functions) {
      expect(alarmProperties(template, `kaikai-dev-errors-${fn.label}`).Dimensions).toEqual([
        { Name: "FunctionName", Value: { Ref: logicalId(fn.lambda) } },
      ]);
    }
  });

  it("alarms on both dead-letter queues: the ingest buffer's and the schedules'", () => {
    for (const [label, queue] of [
      ["ingest", stack.ingestion.deadLetterQueue],
      ["schedules", stack.analytics.scheduleDeadLetterQueue],
    ] as const) {
      expect(alarmProperties(template, `kaikai-dev-dlq-${label}`).Dimensions).toEqual([
        { Name: "QueueName", Value: { "Fn::GetAtt": [logicalId(queue), "QueueName"] } },
      ]);
    }
  });

  it("watches the telemetry topic rule the stack deploys", () => {
    const alarm = alarmProperties(template, "kaikai-dev-iot-rule-action-failures");
    expect(JSON.stringify(alarm.Metrics)).toContain(JSON.stringify({ Ref: logicalId(stack.ingestion.topicRule) }));
  });
});

describe("METRIC, the one list of metric names", () => {
  const sources = readdirSync(new URL("../../lambdas/", import.meta.url), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => readFileSync(new URL(`../../lambdas/${file}`, import.meta.url), "utf8"))
    .join("\n");

  it.each(Object.keys(METRIC))("METRIC.%s is emitted by the function code", (key) => {
    expect(sources).toMatch(new RegExp(`METRIC\\.${key}\\b`));
  });
});
