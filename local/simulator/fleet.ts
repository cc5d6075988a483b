/**
 * Sensors beyond the registry's, for trying the pipeline at a fleet's size: the registry's own
 * first, then as many made-up ones as asked, each marked `simulated` (ids SIM0006, SIM0007, ...),
 * spread over the registry's cities and zones, around the real sensors of each city.
 */
import { type Sensor, ZONES } from "../../lambdas/core/sensor.js";

/** The largest fleet the simulator and the local pipeline make up. */
export const MAX_SENSORS = 100_000;

/** The registry's sensors, then generated ones up to `count` in all. */
export function fleetOf(registry: readonly Sensor[], count: number): Sensor[] {
  if (count <= registry.length) return registry.slice(0, count);
  const width = Math.max(4, String(count).length);
  const generated = Array.from({ length: count - registry.length }, (_, index): Sensor => {
    const number = registry.length + index + 1;
    const near = registry[index % registry.length];
    if (near === undefined) throw new Error("the registry lists no sensor to place simulated ones around");
    // Within about 5 km of a real sensor: a grid of 0.005° steps around it, so that every
    // simulated sensor stays inside the city and Senegal.
    const step = Math.floor(index / registry.length);
    const offset = (n: number) => ((n % 21) - 10) * 0.005;
    return {
      sensorId: `SIM${String(number).padStart(width, "0")}`,
      locationName: `${near.city} - simulated ${number}`,
      zone: ZONES[index % ZONES.length] ?? near.zone,
      city: near.city,
      latitude: Number((near.latitude + offset(step)).toFixed(4)),
      longitude: Number((near.longitude + offset(Math.floor(step / 21))).toFixed(4)),
      installationDate: near.installationDate,
      model: near.model,
      pm25Correction: near.pm25Correction,
      reportingIntervalSeconds: near.reportingIntervalSeconds,
      simulated: true,
    };
  });
  return [...registry, ...generated];
}
