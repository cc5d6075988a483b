import { describe, expect, it } from "vitest";
import { ENV } from "../../lambdas/bindings/environment.js";
import { readBundledData } from "../../lambdas/handlers/environment.js";
import { readIngestConfig } from "../../lambdas/handlers/ingest-config.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { DEV_BUNDLED_CONFIG, DEV_BUNDLED_DATA } from "../fixtures/bundled.js";

const env = {
  [ENV.stage]: "dev",
  [ENV.timestreamDatabase]: "kaikai-dev",
  [ENV.measurementsTable]: "measurements",
  [ENV.quarantineBucket]: "kaikai-dev-quarantine",
  [ENV.maxReadingAgeDays]: "30",
  [ENV.alertsTopicArn]: "arn:aws:sns:eu-west-1:123456789012:alerts",
};

describe("readIngestConfig", () => {
  it("reads the store names and the age window from the environment, the registry from the bundle", () => {
    const config = readIngestConfig(env, DEV_BUNDLED_DATA);
    expect(config).toMatchObject({
      stage: "dev",
      store: { kind: "timestream", database: "kaikai-dev" },
      table: "measurements",
      quarantineBucket: "kaikai-dev-quarantine",
      maxReadingAgeMs: 30 * 86_400_000,
    });
    expect([...config.registry.keys()]).toEqual(SENSORS.map((sensor) => sensor.sensorId));
    expect(config.alerts?.rules).toEqual(DEV_BUNDLED_CONFIG.alertRules);
  });

  it.each(Object.keys(env).filter((name) => name !== ENV.alertsTopicArn))("names %s when it is missing", (name) => {
    const rest: Record<string, string> = { ...env };
    delete rest[name];
    expect(() => readIngestConfig(rest, DEV_BUNDLED_DATA)).toThrow(name);
  });

  it("takes the IoT data endpoint when it is set, and refuses one that is not a URL", () => {
    const endpoint = "https://a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com";
    expect(readIngestConfig(env, DEV_BUNDLED_DATA).iotDataEndpoint).toBeUndefined();
    expect(readIngestConfig({ ...env, [ENV.iotDataEndpoint]: endpoint }, DEV_BUNDLED_DATA).iotDataEndpoint).toBe(
      endpoint,
    );
    expect(() => readIngestConfig({ ...env, [ENV.iotDataEndpoint]: "a1b2c3d4e5f6g7-ats" }, DEV_BUNDLED_DATA)).toThrow(
      ENV.iotDataEndpoint,
    );
  });

  it("says what is wrong with a variable, not just that the input is invalid", () => {
    expect(() => readIngestConfig({ ...env, [ENV.maxReadingAgeDays]: "thirty" }, DEV_BUNDLED_DATA)).toThrow(
      /expected number, received NaN\s+→ at MAX_READING_AGE_DAYS/,
    );
    expect(() => readIngestConfig({ ...env, [ENV.maxReadingAgeDays]: "1.5" }, DEV_BUNDLED_DATA)).toThrow(
      /expected int/,
    );
  });

  it("takes DynamoDB as its store without a Timestream database, and refuses a store it does not know", () => {
    const { [ENV.timestreamDatabase]: _database, ...dynamodb } = { ...env, [ENV.store]: "dynamodb" };
    expect(readIngestConfig(dynamodb, DEV_BUNDLED_DATA)).toMatchObject({ store: { kind: "dynamodb" } });
    expect(() => readIngestConfig({ ...env, [ENV.store]: "influxdb" }, DEV_BUNDLED_DATA)).toThrow(/STORE/);
  });

  it("cannot start without a bundled registry, and needs the alerts topic once it has rules", () => {
    expect(() => readIngestConfig(env, {})).toThrow(/bundled without the sensor registry/);
    const { [ENV.alertsTopicArn]: _topic, ...noTopic } = env;
    expect(() => readIngestConfig(noTopic, DEV_BUNDLED_DATA)).toThrow(ENV.alertsTopicArn);
    expect(readIngestConfig(noTopic, { registry: DEV_BUNDLED_DATA.registry }).alerts).toBeUndefined();
  });
});

describe("readBundledData", () => {
  const today = "2026-12-02";

  it("checks the bundled registry as sensors.json is checked, naming the entry and the field", () => {
    const [first, second] = DEV_BUNDLED_CONFIG.registry ?? [];
    const bad = JSON.stringify({ registry: [first, { ...second, location_type: "Industrial" }] });
    expect(() => readBundledData(bad, today)).toThrow(/entry 1 \("SENS002"\) location_type/);
  });

  it("refuses alert rules that do not match the schema", () => {
    const bad = JSON.stringify({ alertRules: [{ id: "x", scope: "reading", metric: "noise" }] });
    expect(() => readBundledData(bad, today)).toThrow(/metric|Invalid/);
  });

  it("is empty for a function bundled with nothing", () => {
    expect(readBundledData(undefined, today)).toEqual({});
  });
});
