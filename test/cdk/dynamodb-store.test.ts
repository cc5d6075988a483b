/**
 * A stage that keeps its data in DynamoDB (`store: "dynamodb"`, or `-c kaikai:store=dynamodb`):
 * its tables, what each function may do with them, its alarms, and that nothing of Timestream
 * is left in it.
 */
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { ENV } from "../../lambdas/bindings/environment.js";
import { readHourlyRollupConfig } from "../../lambdas/handlers/hourly-rollup-config.js";
import { readIngestConfig } from "../../lambdas/handlers/ingest-config.js";
import { readZoneRollupConfig } from "../../lambdas/handlers/zone-rollup-config.js";
import { parseStages, STAGES_CONTEXT_KEY, withStoreOverride } from "../../lib/config/stages.js";
import { DEV_BUNDLED_DATA } from "../fixtures/bundled.js";
import {
  CDK_CONTEXT,
  dynamoDbTablesOf,
  grantsOf,
  iamPolicies,
  logicalIdOf,
  resolvedEnvironment,
  resourcesOfType,
  STAGES,
  synthStage,
} from "./synth-stage.js";

const dev = synthStage("dev", { config: { ...STAGES.dev, store: "dynamodb" } });
const prod = synthStage("prod", { config: { ...STAGES.prod, store: "dynamodb" } });
const { stack, template } = dev;
const { readings, aggregates } = dynamoDbTablesOf(stack);
const arn = (construct: Parameters<typeof logicalIdOf>[0]) => ({ "Fn::GetAtt": [logicalIdOf(construct), "Arn"] });
const keyArn = arn(stack.storage.key);
const [ingest, hourly, zone] = stack.functions;
if (ingest === undefined || hourly === undefined || zone === undefined)
  throw new Error("the stage has three functions");
const rawEnvironment = (fn: typeof ingest): Record<string, unknown> =>
  template.toJSON().Resources[logicalIdOf(fn.lambda)].Properties.Environment.Variables;

describe("the DynamoDB tables", () => {
  it("key readings by sensor and reading time, and aggregates by kind-and-hour and sensor or zone", () => {
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [
        { AttributeName: "sensor_id", KeyType: "HASH" },
        { AttributeName: "timestamp", KeyType: "RANGE" },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: "sensor_id", AttributeType: "S" },
        { AttributeName: "timestamp", AttributeType: "N" },
      ]),
      TimeToLiveSpecification: { AttributeName: "expires_at", Enabled: true },
    });
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
    });
    expect(Object.keys(resourcesOfType(template, "AWS::DynamoDB::Table"))).toHaveLength(2);
  });

  it("are on-demand, encrypted with the stage's customer key, with point-in-time recovery", () => {
    for (const table of [readings, aggregates]) {
      const properties = resourcesOfType(template, "AWS::DynamoDB::Table")[logicalIdOf(table)]?.Properties;
      expect(properties).toMatchObject({
        BillingMode: "PAY_PER_REQUEST",
        SSESpecification: { SSEEnabled: true, SSEType: "KMS", KMSMasterKeyId: keyArn },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
  });

  it("are protected from deletion and retained where the stage keeps its data, and not in dev", () => {
    const policies = (synthesized: typeof dev) =>
      Object.values(synthesized.template.findResources("AWS::DynamoDB::Table")).map((table) => ({
        protection: table.Properties?.DeletionProtectionEnabled,
        policy: table.DeletionPolicy,
      }));
    expect(STAGES.prod.retainData).toBe(true);
    expect(policies(prod)).toEqual([
      { protection: true, policy: "Retain" },
      { protection: true, policy: "Retain" },
    ]);
    expect(policies(dev)).toEqual([
      { protection: false, policy: "Delete" },
      { protection: false, policy: "Delete" },
    ]);
  });

  it("replace Timestream: no database, no table, no Timestream action", () => {
    expect(Object.keys(resourcesOfType(template, "AWS::Timestream::Database"))).toEqual([]);
    expect(Object.keys(resourcesOfType(template, "AWS::Timestream::Table"))).toEqual([]);
    const actions = iamPolicies(template).flatMap((policy) =>
      policy.Properties.PolicyDocument.Statement.flatMap((statement) => [statement.Action].flat()),
    );
    expect(actions.filter((action) => action.startsWith("timestream:"))).toEqual([]);
  });
});

describe("what each function may do with them", () => {
  const dynamoDbGrants = (fn: typeof ingest) =>
    grantsOf(template, fn.role).filter((grant) => grant.action.startsWith("dynamodb:"));

  it("ingest: conditional puts into the readings table, nothing else", () => {
    expect(dynamoDbGrants(ingest)).toEqual([{ action: "dynamodb:PutItem", resource: arn(readings) }]);
  });

  it("hourly roll-up: key-range queries of the readings, queries and batch writes of the aggregates (for the NowCast)", () => {
    expect(dynamoDbGrants(hourly)).toEqual(
      expect.arrayContaining([
        { action: "dynamodb:Query", resource: arn(readings) },
        { action: "dynamodb:BatchWriteItem", resource: arn(aggregates) },
        { action: "dynamodb:Query", resource: arn(aggregates) },
      ]),
    );
    expect(dynamoDbGrants(hourly)).toHaveLength(3);
  });

  it("zone roll-up: the aggregates only", () => {
    expect(dynamoDbGrants(zone).sort((a, b) => a.action.localeCompare(b.action))).toEqual([
      { action: "dynamodb:BatchWriteItem", resource: arn(aggregates) },
      { action: "dynamodb:Query", resource: arn(aggregates) },
    ]);
  });

  it("no function gets a DynamoDB wildcard, an index or a Scan", () => {
    for (const fn of stack.functions) {
      for (const grant of dynamoDbGrants(fn)) {
        expect(grant.action).not.toMatch(/\*|Scan/);
        expect(JSON.stringify(grant.resource)).not.toMatch(/index|\*/);
      }
    }
  });

  it("the stage's key for what DynamoDB does with it on their behalf: decrypt to read, encrypt to write", () => {
    const keyGrants = (fn: typeof ingest) =>
      grantsOf(template, fn.role)
        .filter((grant) => JSON.stringify(grant.resource) === JSON.stringify(keyArn))
        .map((grant) => grant.action)
        .sort();
    expect(keyGrants(ingest)).toEqual(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]);
    expect(keyGrants(zone)).toEqual(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]);
  });

  it("an environment that names the store and the tables, which each config reader accepts", () => {
    const ingestEnv = resolvedEnvironment(template, ingest);
    expect(ingestEnv[ENV.store]).toBe("dynamodb");
    expect(ingestEnv[ENV.timestreamDatabase]).toBeUndefined();
    expect(readIngestConfig(ingestEnv, DEV_BUNDLED_DATA)).toMatchObject({ store: { kind: "dynamodb" } });
    expect(readHourlyRollupConfig(resolvedEnvironment(template, hourly), DEV_BUNDLED_DATA).store).toEqual({
      kind: "dynamodb",
    });
    expect(readZoneRollupConfig(resolvedEnvironment(template, zone)).store).toEqual({ kind: "dynamodb" });
    const { readings: readingsRef, aggregates: aggregatesRef } = {
      readings: { Ref: logicalIdOf(readings) },
      aggregates: { Ref: logicalIdOf(aggregates) },
    };
    expect(rawEnvironment(ingest)[ENV.measurementsTable]).toEqual(readingsRef);
    expect(rawEnvironment(zone)[ENV.hourlyAggregatesTable]).toEqual(aggregatesRef);
    expect(rawEnvironment(zone)[ENV.zoneAggregatesTable]).toEqual(aggregatesRef);
  });
});

describe("monitoring a DynamoDB stage", () => {
  it("alarms on lasting throttling and on system errors of each table", () => {
    expect(Object.keys(stack.observability.alarms)).toEqual(
      expect.arrayContaining([
        "dynamodb-throttles-readings",
        "dynamodb-errors-readings",
        "dynamodb-throttles-aggregates",
        "dynamodb-errors-aggregates",
      ]),
    );
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: "kaikai-dev-dynamodb-throttles-readings",
      EvaluationPeriods: 3,
      Metrics: Match.arrayWith([
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ Namespace: "AWS/DynamoDB", MetricName: "ThrottledRequests" }),
          }),
        }),
      ]),
    });
  });

  it("draws each table's consumed capacity", () => {
    const body = JSON.stringify(resourcesOfType(template, "AWS::CloudWatch::Dashboard"));
    expect(body).toContain("ConsumedWriteCapacityUnits");
    expect(body).toContain("ConsumedReadCapacityUnits");
  });
});

describe("choosing the store", () => {
  const stages = parseStages(CDK_CONTEXT[STAGES_CONTEXT_KEY]);

  it("keeps Timestream when cdk.json names no store", () => {
    expect(Object.values(stages).map((stage) => stage.store)).toEqual(["timestream", "timestream", "timestream"]);
  });

  it("takes -c kaikai:store for every stage, and refuses a store it does not know with the key named", () => {
    expect(Object.values(withStoreOverride(stages, "dynamodb")).map((stage) => stage.store)).toEqual([
      "dynamodb",
      "dynamodb",
      "dynamodb",
    ]);
    expect(withStoreOverride(stages, undefined)).toBe(stages);
    expect(() => withStoreOverride(stages, "influxdb")).toThrow(
      /kaikai:store=influxdb: use one of timestream, dynamodb/,
    );
  });

  it("fails the synth on a stage store it does not know, naming the stage", () => {
    const context = CDK_CONTEXT[STAGES_CONTEXT_KEY] as Record<string, Record<string, unknown>>;
    expect(() => parseStages({ ...context, staging: { ...context.staging, store: "postgres" } })).toThrow(
      /staging\.store/,
    );
  });
});
