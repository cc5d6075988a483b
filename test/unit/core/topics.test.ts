import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { publishRefusal, sensorIdFromTopic, telemetryTopic } from "../../../lambdas/core/topics.js";

describe("publishRefusal", () => {
  it("lets a client publish on a sensor's telemetry topic, whatever the id", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/), (id) => {
        expect(publishRefusal(telemetryTopic(id))).toBeUndefined();
        expect(sensorIdFromTopic(telemetryTopic(id))).toBe(id);
      }),
    );
  });

  it.each([
    ["$SYS/broker/new/clients", "the broker's own"],
    ["$share/group/kaikai/sensors/SENS001/telemetry", "the broker's own"],
    ["kaikai/alerts/SENS001", "the pipeline's own topic"],
    ["kaikai/aggregates/hourly", "the pipeline's own topic"],
    ["kaikai/sensors//telemetry", "not a telemetry topic"],
    ["kaikai/sensors/SENS001/telemetry/extra", "not a telemetry topic"],
    ["kaikai/sensors/SENS001/Telemetry", "not a telemetry topic"],
    ["kaikai/sensors/a/b/telemetry", "not a telemetry topic"],
    ["junk", "not a telemetry topic"],
  ])("refuses %s: %s", (topic, why) => {
    expect(publishRefusal(topic)).toContain(why);
  });
});
