import { describe, expect, it } from "vitest";
import { parseSensors, registryEntryOf } from "../../../../lambdas/core/sensor.js";
import { SENSORS } from "../../../../lib/config/sensors.js";
import { fleetOf } from "../../../../local/simulator/fleet.js";

describe("fleetOf", () => {
  it("is the registry's first sensors when it asks for no more than the registry has", () => {
    expect(fleetOf(SENSORS, 3)).toEqual(SENSORS.slice(0, 3));
  });

  it("adds simulated sensors, marked and numbered after the registry's, that pass the registry's own checks", () => {
    const fleet = fleetOf(SENSORS, 1000);
    expect(fleet).toHaveLength(1000);
    expect(fleet.slice(0, SENSORS.length)).toEqual(SENSORS);
    const simulated = fleet.slice(SENSORS.length);
    expect(simulated.every((sensor) => sensor.simulated === true && sensor.sensorId.startsWith("SIM"))).toBe(true);
    expect(simulated[0]?.sensorId).toBe("SIM0006");
    expect(new Set(fleet.map((sensor) => sensor.sensorId)).size).toBe(1000);
    // Unique ids, known zones, inside Senegal, installed in the past: what sensors.json must hold.
    expect(parseSensors(fleet.map(registryEntryOf), { today: "2026-12-02" })).toEqual(fleet);
    expect(new Set(simulated.map((sensor) => sensor.zone))).toEqual(new Set(["Urban", "Residential", "Commercial"]));
  });
});
