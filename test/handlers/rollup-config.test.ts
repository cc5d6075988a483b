import { describe, expect, it } from "vitest";
import { readOptionalAlertConfig } from "../../lambdas/handlers/environment.js";
import { readHourlyRollupConfig } from "../../lambdas/handlers/hourly-rollup-config.js";
import { readZoneRollupConfig } from "../../lambdas/handlers/zone-rollup-config.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { loadStagesFromCdkJson } from "../../lib/config/stages.js";

const RULES = loadStagesFromCdkJson().dev.alertRules;
const HOURLY_ENV = {
  STAGE: "dev",
  SENSOR_REGISTRY: JSON.stringify(SENSORS),
  TIMESTREAM_DATABASE: "kaikai_dev",
  MEASUREMENTS_TABLE: "measurements",
  HOURLY_AGGREGATES_TABLE: "hourly_aggregates",
  ALERT_RULES: JSON.stringify(RULES),
  ALERTS_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:alerts",
};

describe("roll-up environments", () => {
  it("reads the hourly roll-up's registry, tables and alert rules", () => {
    const config = readHourlyRollupConfig(HOURLY_ENV);
    expect(config.registry.size).toBe(SENSORS.length);
    expect(config.measurementsTable).toBe("measurements");
    expect(config.alerts.rules).toEqual(RULES);
  });

  it("takes the IoT data endpoint when it is set, and refuses one that is not a URL", () => {
    const endpoint = "https://a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com";
    const zoneEnv = { ...HOURLY_ENV, ZONE_AGGREGATES_TABLE: "zone_aggregates" };
    expect(readHourlyRollupConfig(HOURLY_ENV).iotDataEndpoint).toBeUndefined();
    expect(readHourlyRollupConfig({ ...HOURLY_ENV, IOT_DATA_ENDPOINT: endpoint }).iotDataEndpoint).toBe(endpoint);
    expect(readZoneRollupConfig({ ...zoneEnv, IOT_DATA_ENDPOINT: endpoint }).iotDataEndpoint).toBe(endpoint);
    expect(() => readZoneRollupConfig({ ...zoneEnv, IOT_DATA_ENDPOINT: "a1b2c3d4e5f6g7-ats" })).toThrow(
      /IOT_DATA_ENDPOINT/,
    );
  });

  it("names every missing variable at once", () => {
    expect(() => readZoneRollupConfig({ STAGE: "dev" })).toThrow(
      /TIMESTREAM_DATABASE[\s\S]*HOURLY_AGGREGATES_TABLE[\s\S]*ZONE_AGGREGATES_TABLE/,
    );
  });

  it("refuses alert rules that do not match the schema", () => {
    const env = { ...HOURLY_ENV, ALERT_RULES: JSON.stringify([{ id: "x", scope: "reading", metric: "noise" }]) };
    expect(() => readHourlyRollupConfig(env)).toThrow(/ALERT_RULES is not valid/);
  });

  it("leaves ingest without alerting when ALERT_RULES is unset, and requires the topic when it is set", () => {
    expect(readOptionalAlertConfig({})).toBeUndefined();
    expect(() => readOptionalAlertConfig({ ALERT_RULES: "[]" })).toThrow(/ALERTS_TOPIC_ARN/);
  });
});
