import type { Sensor } from "../../lambdas/core/sensor.js";

/** Thing attribute values allow only `[a-zA-Z0-9_.,@/:#-]`: accents are folded, the rest becomes `_`. */
function toThingAttributeValue(value: string): string {
  return value
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[^a-zA-Z0-9_.,@/:#-]/g, "_");
}

/**
 * A thing without a thing type holds at most three attributes, so the registry's fields are
 * packed into three searchable ones.
 */
export function thingAttributes(sensor: Sensor): Record<string, string> {
  return {
    zone: sensor.zone,
    location: toThingAttributeValue(`${sensor.city}/${sensor.locationName}`),
    site: toThingAttributeValue(
      `lat:${sensor.latitude},lon:${sensor.longitude},installed:${sensor.installationDate},model:${sensor.model}`,
    ),
  };
}
