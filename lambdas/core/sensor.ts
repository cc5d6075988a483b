import * as z from "./zod.js";

export const ZONES = ["Urban", "Residential", "Commercial"] as const;
export type Zone = (typeof ZONES)[number];

const text = (maxLength: number) => z.string().check(z.minLength(1), z.maxLength(maxLength));

export const sensorSchema = z.strictObject({
  sensorId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, _ or -, at most 64")),
  locationName: text(128),
  zone: z.enum(ZONES),
  city: text(64),
  latitude: z.number().check(z.gte(-90), z.lte(90)),
  longitude: z.number().check(z.gte(-180), z.lte(180)),
  installationDate: z.iso.date(),
  /** How often the sensor publishes; completeness is measured against it. */
  reportingIntervalSeconds: z.int().check(z.gte(1), z.lte(86_400)),
});

export type Sensor = z.infer<typeof sensorSchema>;

export const sensorListSchema = z.array(sensorSchema).check(
  z.minLength(1),
  z.superRefine((sensors, ctx) => {
    const seen = new Set<string>();
    for (const [index, sensor] of sensors.entries()) {
      if (seen.has(sensor.sensorId)) {
        ctx.addIssue({ code: "custom", path: [index, "sensorId"], message: `duplicate sensor id ${sensor.sensorId}` });
      }
      seen.add(sensor.sensorId);
    }
  }),
);

/** Sensors by id: the shape every consumer of the registry works with. */
export type SensorRegistry = ReadonlyMap<string, Sensor>;

/** Validates a list of sensors (from config or an environment variable) and indexes it by id. */
export function parseRegistry(input: unknown): SensorRegistry {
  const sensors = sensorListSchema.parse(input, z.inEnglish);
  return new Map(sensors.map((sensor) => [sensor.sensorId, sensor]));
}
