import { describe, expect, it } from "vitest";
import { readOptionalAlertConfig } from "../../lambdas/handlers/environment.js";
import { readHourlyRollupConfig } from "../../lambdas/handlers/hourly-rollup-config.js";
import { readZoneRollupConfig } from "../../lambdas/handlers/zone-rollup-config.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { loadStagesFromCdkJson } from "../../lib/config/stages.js";
import { DEV_BUNDLED_DATA } from "../fixtures/bundled.js";

const RULES = loadStagesFromCdkJson().dev.alertRules;
const HOURLY_ENV = {
  STAGE: "dev",
  TIMESTREAM_DATABASE: "kaikai_dev",
  MEASUREMENTS_TABLE: "measurements",
  HOURLY_AGGREGATES_TABLE: "hourly_aggregates",
  ALERTS_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:alerts",
};

describe("roll-up environments", () => {
  it("reads the hourly roll-up's registry, tables and alert rules", () => {
    const config = readHourlyRollupConfig(HOURLY_ENV, DEV_BUNDLED_DATA);
    expect(config.registry.size).toBe(SENSORS.length);
    expect(config.measurementsTable).toBe("measurements");
    expect(config.alerts.rules).toEqual(RULES);
  });

  it("takes the IoT data endpoint when it is set, and refuses one that is not a URL", () => {
    const endpoint = "https://a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com";
    const zoneEnv = { ...HOURLY_ENV, ZONE_AGGREGATES_TABLE: "zone_aggregates" };
    expect(readHourlyRollupConfig(HOURLY_ENV, DEV_BUNDLED_DATA).iotDataEndpoint).toBeUndefined();
    expect(
      readHourlyRollupConfig({ ...HOURLY_ENV, IOT_DATA_ENDPOINT: endpoint }, DEV_BUNDLED_DATA).iotDataEndpoint,
    ).toBe(endpoint);
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

  it("leaves ingest without alerting when it was bundled without rules, and requires the topic when it has them", () => {
    expect(readOptionalAlertConfig({}, {})).toBeUndefined();
    expect(() => readOptionalAlertConfig({}, { alertRules: [] })).toThrow(/ALERTS_TOPIC_ARN/);
  });
});
