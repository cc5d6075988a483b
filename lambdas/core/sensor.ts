import * as z from "zod";

export const ZONES = ["Urban", "Residential", "Commercial"] as const;
export type Zone = (typeof ZONES)[number];

export const sensorSchema = z
  .object({
    sensorId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, _ or -, at most 64"),
    locationName: z.string().min(1).max(128),
    zone: z.enum(ZONES),
    city: z.string().min(1).max(64),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    installationDate: z.iso.date(),
    /** How often the sensor publishes; completeness is measured against it. */
    reportingIntervalSeconds: z.number().int().min(1).max(86_400),
  })
  .strict();

export type Sensor = z.infer<typeof sensorSchema>;

export const sensorListSchema = z
  .array(sensorSchema)
  .min(1)
  .superRefine((sensors, ctx) => {
    const seen = new Set<string>();
    for (const [index, sensor] of sensors.entries()) {
      if (seen.has(sensor.sensorId)) {
        ctx.addIssue({ code: "custom", path: [index, "sensorId"], message: `duplicate sensor id ${sensor.sensorId}` });
      }
      seen.add(sensor.sensorId);
    }
  });

/** Sensors by id: the shape every consumer of the registry works with. */
export type SensorRegistry = ReadonlyMap<string, Sensor>;

/** Validates a list of sensors (from config or an environment variable) and indexes it by id. */
export function parseRegistry(input: unknown): SensorRegistry {
  const sensors = sensorListSchema.parse(input);
  return new Map(sensors.map((sensor) => [sensor.sensorId, sensor]));
}
