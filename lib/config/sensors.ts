import { readFileSync } from "node:fs";
import { parseSensors, registryOf, type Sensor, type SensorRegistry } from "../../lambdas/core/sensor.js";
import { isoDateOf } from "../../lambdas/core/time.js";

/**
 * The fleet: the one list of sensors, sensors.json beside this file. IoT things, the Lambda
 * enrichment (bundled into the functions), the local `sensors` table, the simulator and the tests
 * all read it from here; a bad entry stops whatever loads it, with the entry and the field named.
 */
export const SENSORS_JSON = new URL("./sensors.json", import.meta.url);

export const today = (): string => isoDateOf(Date.now());

/** The registry of a sensors.json file, checked. */
export function loadSensors(path: URL | string = SENSORS_JSON): readonly Sensor[] {
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${String(path)} is not readable JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseSensors(entries, { today: today() });
}

export const SENSORS: readonly Sensor[] = loadSensors();

export const REGISTRY: SensorRegistry = registryOf(SENSORS);
