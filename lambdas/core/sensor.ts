/**
 * The sensor registry: the one list of the fleet, kept as data (lib/config/sensors.json) in the
 * seed's own columns (sensor_id, location_name, location_type, latitude, longitude,
 * installation_date) plus the city, the instrument model and, when it is not the default, the
 * reporting interval. The same parser checks it at synth, at the local runtime's start and in
 * each function as it starts.
 */
import { CORRECTION_IDS, type CorrectionId, correctionForModel } from "./correction.js";
import * as z from "./zod.js";

export const ZONES = ["Urban", "Residential", "Commercial"] as const;
export type Zone = (typeof ZONES)[number];

/** What a sensor promises when its entry says nothing: a reading a minute. */
export const DEFAULT_REPORTING_INTERVAL_SECONDS = 60;

/**
 * Senegal's extent (Natural Earth admin-0, rounded outward to 0.01°): an entry outside it is a
 * typo until it says otherwise (`"outside_senegal": true`).
 */
export const SENEGAL_BOUNDS = { south: 12.33, north: 16.6, west: -17.63, east: -11.46 } as const;

const text = (maxLength: number) => z.string().check(z.minLength(1), z.maxLength(maxLength));

/** One entry of sensors.json. */
export const registryEntrySchema = z.strictObject({
  sensor_id: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, _ or -, at most 64")),
  location_name: text(128),
  /** The seed's location_type: the zone the sensor's figures are rolled up in. */
  location_type: z.enum(ZONES),
  latitude: z.number().check(z.gte(-90), z.lte(90)),
  longitude: z.number().check(z.gte(-180), z.lte(180)),
  installation_date: z.iso.date(),
  city: text(64),
  /** The instrument (e.g. PMS5003): what corrections of its readings depend on. */
  model: text(64),
  /** The PM2.5 correction, when it is not the one its model implies (core/correction.ts correctionForModel). */
  pm25_correction: z.optional(z.enum(CORRECTION_IDS)),
  /** How often the sensor publishes; completeness is measured against it. @default 60 */
  reporting_interval_seconds: z.optional(z.int().check(z.gte(1), z.lte(86_400))),
  /** Set to place a sensor outside Senegal on purpose. */
  outside_senegal: z.optional(z.boolean()),
  /** Set on the sensors `kaikai simulate --sensors N` generates beyond the registry. */
  simulated: z.optional(z.literal(true)),
});
export type RegistryEntry = z.infer<typeof registryEntrySchema>;

/** A sensor as the pipeline works with it. */
export interface Sensor {
  readonly sensorId: string;
  readonly locationName: string;
  readonly zone: Zone;
  readonly city: string;
  readonly latitude: number;
  readonly longitude: number;
  /** ISO date. */
  readonly installationDate: string;
  readonly model: string;
  /** How its PM2.5 readings are corrected for official figures. */
  readonly pm25Correction: CorrectionId;
  readonly reportingIntervalSeconds: number;
  /** Its entry places it outside Senegal on purpose. */
  readonly outsideSenegal?: true;
  /** A sensor the simulator made up beyond the registry, never a real one. */
  readonly simulated?: true;
}

/** Sensors by id: the shape every consumer of the registry works with. */
export type SensorRegistry = ReadonlyMap<string, Sensor>;

export class RegistryError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid sensor registry:\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
    this.name = "RegistryError";
  }
}

function toSensor(entry: RegistryEntry): Sensor {
  return {
    sensorId: entry.sensor_id,
    locationName: entry.location_name,
    zone: entry.location_type,
    city: entry.city,
    latitude: entry.latitude,
    longitude: entry.longitude,
    installationDate: entry.installation_date,
    model: entry.model,
    pm25Correction: entry.pm25_correction ?? correctionForModel(entry.model),
    reportingIntervalSeconds: entry.reporting_interval_seconds ?? DEFAULT_REPORTING_INTERVAL_SECONDS,
    ...(entry.outside_senegal ? { outsideSenegal: true as const } : {}),
    ...(entry.simulated ? { simulated: true as const } : {}),
  };
}

/** The entry a sensor is written as in sensors.json (what the functions are bundled with). */
export function registryEntryOf(sensor: Sensor): RegistryEntry {
  return {
    sensor_id: sensor.sensorId,
    location_name: sensor.locationName,
    location_type: sensor.zone,
    latitude: sensor.latitude,
    longitude: sensor.longitude,
    installation_date: sensor.installationDate,
    city: sensor.city,
    model: sensor.model,
    ...(sensor.pm25Correction === correctionForModel(sensor.model) ? {} : { pm25_correction: sensor.pm25Correction }),
    ...(sensor.reportingIntervalSeconds === DEFAULT_REPORTING_INTERVAL_SECONDS
      ? {}
      : { reporting_interval_seconds: sensor.reportingIntervalSeconds }),
    ...(sensor.outsideSenegal ? { outside_senegal: true } : {}),
    ...(sensor.simulated ? { simulated: true as const } : {}),
  };
}

/** What is wrong with one well-formed entry beyond its fields' own shape. */
function entryProblems(entry: RegistryEntry, today: string): string[] {
  const problems: string[] = [];
  const { latitude, longitude } = entry;
  const inSenegal =
    latitude >= SENEGAL_BOUNDS.south &&
    latitude <= SENEGAL_BOUNDS.north &&
    longitude >= SENEGAL_BOUNDS.west &&
    longitude <= SENEGAL_BOUNDS.east;
  if (!inSenegal && entry.outside_senegal !== true) {
    problems.push(
      `latitude ${latitude}, longitude ${longitude}: outside Senegal (${SENEGAL_BOUNDS.south}..${SENEGAL_BOUNDS.north} N, ${SENEGAL_BOUNDS.west}..${SENEGAL_BOUNDS.east} E); set "outside_senegal": true if that is meant`,
    );
  }
  if (entry.installation_date > today) {
    problems.push(`installation_date: ${entry.installation_date} is in the future (today is ${today})`);
  }
  return problems;
}

const describeEntry = (index: number, entry: unknown): string => {
  const id =
    typeof entry === "object" && entry !== null && "sensor_id" in entry ? JSON.stringify(entry.sensor_id) : "no id";
  return `entry ${index} (${id})`;
};

/**
 * The sensors of a registry's entries, checked: every problem of every entry is named with its
 * index, its id and its field (a bad field, a duplicate id, coordinates outside Senegal, an
 * installation date after `today`, an ISO date). Throws RegistryError listing them all.
 */
export function parseSensors(input: unknown, options: { readonly today: string }): Sensor[] {
  if (!Array.isArray(input)) throw new RegistryError(["the registry must be an array of sensors"]);
  if (input.length === 0) throw new RegistryError(["the registry lists no sensor"]);
  const problems: string[] = [];
  const sensors: Sensor[] = [];
  const seen = new Map<string, number>();
  for (const [index, raw] of input.entries()) {
    const parsed = registryEntrySchema.safeParse(raw, z.inEnglish);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.length === 0 ? "" : `${issue.path.join(".")}: `;
        problems.push(`${describeEntry(index, raw)} ${field}${issue.message}`);
      }
      continue;
    }
    const entry = parsed.data;
    const first = seen.get(entry.sensor_id);
    if (first !== undefined) problems.push(`${describeEntry(index, raw)} sensor_id: the same as entry ${first}`);
    seen.set(entry.sensor_id, index);
    for (const problem of entryProblems(entry, options.today)) problems.push(`${describeEntry(index, raw)} ${problem}`);
    sensors.push(toSensor(entry));
  }
  if (problems.length > 0) throw new RegistryError(problems);
  return sensors;
}

/** Sensors by id. */
export function registryOf(sensors: readonly Sensor[]): SensorRegistry {
  return new Map(sensors.map((sensor) => [sensor.sensorId, sensor]));
}

/** A registry's entries, checked (parseSensors) and indexed by id. */
export function parseRegistry(input: unknown, options: { readonly today: string }): SensorRegistry {
  return registryOf(parseSensors(input, options));
}
