import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSensors, RegistryError, registryEntryOf } from "../../../lambdas/core/sensor.js";
import { loadSensors, SENSORS } from "../../../lib/config/sensors.js";

const TODAY = "2026-12-02";
const entries = SENSORS.map(registryEntryOf);

describe("the sensor registry", () => {
  it("reads sensors.json's seed columns, with the default reporting interval", () => {
    const [first] = SENSORS;
    expect(first).toEqual({
      sensorId: "SENS001",
      locationName: "Dakar - Plateau",
      zone: "Urban",
      city: "Dakar",
      latitude: 14.6937,
      longitude: -17.4441,
      installationDate: "2024-01-15",
      model: "PMS5003",
      pm25Correction: "epa_barkjohn_2022",
      reportingIntervalSeconds: 60,
    });
  });

  it("names every bad entry with its index, its id and its field, all at once", () => {
    const [a, b, c, d] = entries;
    const bad = [
      a,
      { ...b, location_type: "Industrial" },
      { ...c, installation_date: "2027-01-01" },
      { ...d, sensor_id: a?.sensor_id },
      { ...d, sensor_id: "SENS009", latitude: 48.85, longitude: 2.35 },
      { ...d, sensor_id: "SENS010", model: undefined },
    ];
    let problems: readonly string[] = [];
    try {
      parseSensors(bad, { today: TODAY });
    } catch (error) {
      if (error instanceof RegistryError) problems = error.problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^entry 1 \("SENS002"\) location_type: /),
      'entry 2 ("SENS003") installation_date: 2027-01-01 is in the future (today is 2026-12-02)',
      'entry 3 ("SENS001") sensor_id: the same as entry 0',
      expect.stringMatching(/^entry 4 \("SENS009"\) latitude 48.85, longitude 2.35: outside Senegal/),
      expect.stringMatching(/^entry 5 \("SENS010"\) model: /),
    ]);
  });

  it("stops whatever loads a bad sensors.json, with the entry named", () => {
    const dir = mkdtempSync(join(tmpdir(), "kaikai-registry-"));
    try {
      const file = join(dir, "sensors.json");
      writeFileSync(file, JSON.stringify([{ ...entries[0], latitude: "14.69" }]));
      expect(() => loadSensors(file)).toThrow(/entry 0 \("SENS001"\) latitude: /);
      writeFileSync(file, "[]");
      expect(() => loadSensors(file)).toThrow(/lists no sensor/);
      writeFileSync(file, '[{"sensor_id": "SENS001",]');
      expect(() => loadSensors(file)).toThrow(`${file} is not readable JSON: `);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes a sensor back as the entry it was read from", () => {
    expect(SENSORS.map(registryEntryOf)).toEqual(entries);
    expect(parseSensors(entries, { today: TODAY })).toEqual(SENSORS);
  });
});
