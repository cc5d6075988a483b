import { describe, expect, it } from "vitest";
import { ENV } from "../../lambdas/bindings/environment.js";
import { readIngestConfig } from "../../lambdas/handlers/ingest-config.js";
import { SENSORS } from "../../lib/config/sensors.js";

const env = {
  [ENV.stage]: "dev",
  [ENV.sensorRegistry]: JSON.stringify(SENSORS),
  [ENV.timestreamDatabase]: "kaikai-dev",
  [ENV.measurementsTable]: "measurements",
  [ENV.quarantineBucket]: "kaikai-dev-quarantine",
  [ENV.maxReadingAgeDays]: "30",
};

describe("readIngestConfig", () => {
  it("reads the registry, the store names and the age window from the environment", () => {
    const config = readIngestConfig(env);
    expect(config).toMatchObject({
      stage: "dev",
      store: { kind: "timestream", database: "kaikai-dev" },
      table: "measurements",
      quarantineBucket: "kaikai-dev-quarantine",
      maxReadingAgeMs: 30 * 86_400_000,
    });
    expect([...config.registry.keys()]).toEqual(SENSORS.map((sensor) => sensor.sensorId));
  });

  it.each(Object.keys(env))("names %s when it is missing", (name) => {
    const rest: Record<string, string> = { ...env };
    delete rest[name];
    expect(() => readIngestConfig(rest)).toThrow(name);
  });

  it("takes the IoT data endpoint when it is set, and refuses one that is not a URL", () => {
    const endpoint = "https://a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com";
    expect(readIngestConfig(env).iotDataEndpoint).toBeUndefined();
    expect(readIngestConfig({ ...env, [ENV.iotDataEndpoint]: endpoint }).iotDataEndpoint).toBe(endpoint);
    expect(() => readIngestConfig({ ...env, [ENV.iotDataEndpoint]: "a1b2c3d4e5f6g7-ats" })).toThrow(
      ENV.iotDataEndpoint,
    );
  });

  it("says what is wrong with a variable, not just that the input is invalid", () => {
    expect(() => readIngestConfig({ ...env, [ENV.maxReadingAgeDays]: "thirty" })).toThrow(
      /expected number, received NaN\s+→ at MAX_READING_AGE_DAYS/,
    );
    expect(() => readIngestConfig({ ...env, [ENV.maxReadingAgeDays]: "1.5" })).toThrow(/expected int/);
  });

  it("takes DynamoDB as its store without a Timestream database, and refuses a store it does not know", () => {
    const { [ENV.timestreamDatabase]: _database, ...dynamodb } = { ...env, [ENV.store]: "dynamodb" };
    expect(readIngestConfig(dynamodb)).toMatchObject({ store: { kind: "dynamodb" }, table: "measurements" });
    expect(() => readIngestConfig({ ...env, [ENV.store]: "influxdb" })).toThrow(/STORE/);
  });

  it("says the registry is not valid JSON", () => {
    expect(() => readIngestConfig({ ...env, [ENV.sensorRegistry]: "[{" })).toThrow(ENV.sensorRegistry);
  });
});
