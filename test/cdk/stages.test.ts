import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { ENV } from "../../lambdas/bindings/environment.js";
import { kaikaiFunctionName } from "../../lambdas/bindings/resources.js";
import type { Sensor } from "../../lambdas/core/sensor.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { parseStages, STAGE_NAMES, STAGES_CONTEXT_KEY, type StageConfig } from "../../lib/config/stages.js";
import { toRetentionDays } from "../../lib/kaikai-stack.js";
import { CDK_CONTEXT, logicalIdOf, resourcesOfType, STAGES, synthStage } from "./synth-stage.js";

const dev = synthStage("dev");
const prod = synthStage("prod");

describe("per-stage settings", () => {
  it("differ between dev and prod, so that the comparisons below mean something", () => {
    expect(STAGES.dev.memoryRetentionHours).not.toBe(STAGES.prod.memoryRetentionHours);
    expect(STAGES.dev.magneticRetentionDays).not.toBe(STAGES.prod.magneticRetentionDays);
    expect(STAGES.dev.retainData).not.toBe(STAGES.prod.retainData);
  });

  it.each([
    ["dev", dev],
    ["prod", prod],
  ] as const)("%s: every table keeps data for the stage's memory and magnetic retention", (stage, { template }) => {
    const tables = Object.values(resourcesOfType(template, "AWS::Timestream::Table"));
    expect(tables).toHaveLength(3);
    for (const table of tables) {
      expect(table.Properties?.RetentionProperties).toEqual({
        MemoryStoreRetentionPeriodInHours: String(STAGES[stage].memoryRetentionHours),
        MagneticStoreRetentionPeriodInDays: String(STAGES[stage].magneticRetentionDays),
      });
    }
  });

  it("gives the functions that write alerts the stage's language, and the hourly roll-up its time zone", () => {
    for (const [synth, stage, language] of [
      [dev, "dev", "en"],
      [prod, "prod", "fr"],
    ] as const) {
      for (const fn of [synth.stack.ingestion.ingestFunction, synth.stack.analytics.hourlyRollupFunction]) {
        synth.template.hasResourceProperties("AWS::Lambda::Function", {
          FunctionName: kaikaiFunctionName(stage, fn.label),
          Environment: { Variables: Match.objectLike({ [ENV.alertLanguage]: language }) },
        });
      }
      synth.template.hasResourceProperties("AWS::Lambda::Function", {
        Environment: { Variables: Match.objectLike({ [ENV.timeZone]: "Africa/Dakar" }) },
      });
    }
  });

  it("names the database after the stage", () => {
    dev.template.hasResourceProperties("AWS::Timestream::Database", { DatabaseName: "kaikai_dev" });
    prod.template.hasResourceProperties("AWS::Timestream::Database", { DatabaseName: "kaikai_prod" });
  });

  it.each([
    ["dev", dev],
    ["prod", prod],
  ] as const)("%s: tells ingest the oldest reading the stage's store accepts", (stage, { stack, template }) => {
    const ingest = resourcesOfType(template, "AWS::Lambda::Function")[
      logicalIdOf(stack.ingestion.ingestFunction.lambda)
    ];
    expect(ingest?.Properties?.Environment).toMatchObject({
      Variables: { [ENV.maxReadingAgeDays]: String(STAGES[stage].magneticRetentionDays) },
    });
  });

  it("retains data stores in prod and deletes them with a dev stack", () => {
    const dataTypes = ["AWS::Timestream::Database", "AWS::Timestream::Table", "AWS::S3::Bucket", "AWS::KMS::Key"];
    for (const type of dataTypes) {
      for (const resource of Object.values(prod.template.findResources(type)))
        expect(resource.DeletionPolicy).toBe("Retain");
      for (const resource of Object.values(dev.template.findResources(type)))
        expect(resource.DeletionPolicy).toBe("Delete");
    }
  });

  it("subscribes each of the stage's alert emails to the alerts topic", () => {
    expect(STAGES.prod.alertEmails.length).toBeGreaterThan(0);
    for (const address of STAGES.prod.alertEmails) {
      prod.template.hasResourceProperties("AWS::SNS::Subscription", {
        Protocol: "email",
        Endpoint: address,
        TopicArn: prod.stack.resolve(prod.stack.alerting.alertsTopic.topicArn),
      });
    }
    dev.template.resourcePropertiesCountIs(
      "AWS::SNS::Subscription",
      { TopicArn: dev.stack.resolve(dev.stack.alerting.alertsTopic.topicArn) },
      0,
    );
  });

  it("expires quarantined objects after the stage's expiration", () => {
    prod.template.hasResourceProperties("AWS::S3::Bucket", {
      VersioningConfiguration: { Status: "Enabled" },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: STAGES.prod.quarantineExpirationDays })],
      },
    });
  });
});

describe("a bad configuration fails the synth, naming what is wrong", () => {
  const context = CDK_CONTEXT[STAGES_CONTEXT_KEY] as Record<string, StageConfig>;
  const withDev = (change: Partial<StageConfig>) => ({ ...context, dev: { ...context.dev, ...change } });

  it("rejects a negative retention", () => {
    expect(() => parseStages(withDev({ magneticRetentionDays: -1 }))).toThrow(/dev\.magneticRetentionDays/);
  });

  it("rejects an alert rule without its source, and a time zone the runtime does not know", () => {
    const [first, ...rest] = context.dev?.alertRules ?? [];
    const { source: _, ...unsourced } = first ?? {};
    const alertRules = [unsourced, ...rest] as unknown as StageConfig["alertRules"];
    expect(() => parseStages(withDev({ alertRules }))).toThrow(/dev\.alertRules\[0\]\.source/);
    expect(() => parseStages(withDev({ timeZone: "Africa/Atlantis" }))).toThrow(/dev\.timeZone/);
  });

  it("gives every default rule of every stage a source, and rules on the official figures", () => {
    for (const name of STAGE_NAMES) {
      const rules = parseStages(context)[name].alertRules;
      expect(rules.map((rule) => rule.metric)).toEqual(
        expect.arrayContaining(["pm25_nowcast_aqi", "pm25_daily_mean", "pm25"]),
      );
      expect(rules.map((rule) => rule.metric)).not.toContain("pm25_mean");
    }
  });

  it("rejects a malformed alert email", () => {
    expect(() => parseStages(withDev({ alertEmails: ["not-an-address"] }))).toThrow(/dev\.alertEmails\[0\]/);
  });

  it("rejects a missing stage", () => {
    const { staging: _staging, ...withoutStaging } = context;
    expect(() => parseStages(withoutStaging)).toThrow(/staging/);
  });

  it("rejects a log retention CloudWatch Logs does not offer", () => {
    expect(() => synthStage("dev", { config: { ...STAGES.dev, logRetentionDays: 15 } })).toThrow(
      /kaikai:stages\.dev\.logRetentionDays: 15 is not a CloudWatch Logs retention; use one of .*14, 30/,
    );
    expect(toRetentionDays(14, "logRetentionDays")).toBe(14);
  });

  it("rejects a duplicate sensor id in the registry", () => {
    const [first] = SENSORS;
    const duplicated: Sensor[] = [...SENSORS, { ...(first as Sensor), locationName: "Another site" }];
    expect(() => synthStage("dev", { sensors: duplicated })).toThrow(
      /entry 5 \("SENS001"\) sensor_id: the same as entry 0/,
    );
  });

  it("rejects a sensor outside Senegal, or installed in the future, naming the entry and the field", () => {
    const [first] = SENSORS;
    if (first === undefined) throw new Error("empty registry");
    expect(() => synthStage("dev", { sensors: [{ ...first, latitude: 48.85, longitude: 2.35 }] })).toThrow(
      /entry 0 \("SENS001"\) latitude 48.85, longitude 2.35: outside Senegal/,
    );
    expect(() => synthStage("dev", { sensors: [{ ...first, installationDate: "2999-01-01" }] })).toThrow(
      /entry 0 \("SENS001"\) installation_date: 2999-01-01 is in the future/,
    );
    expect(() =>
      synthStage("dev", { sensors: [{ ...first, latitude: 48.85, longitude: 2.35, outsideSenegal: true }] }),
    ).not.toThrow();
  });

  it("accepts every stage of cdk.json", () => {
    expect(Object.keys(parseStages(context))).toEqual([...STAGE_NAMES]);
  });
});
