import { parseRegistry, type Sensor, type SensorRegistry, sensorListSchema } from "../../lambdas/core/sensor.js";

/**
 * The fleet: the one list of sensors. IoT things and their policy, the Lambda enrichment, the
 * local `sensors` table and the simulator all read it from here.
 */
export const SENSORS: readonly Sensor[] = sensorListSchema.parse([
  {
    sensorId: "SENS001",
    locationName: "Dakar - Plateau",
    zone: "Urban",
    city: "Dakar",
    latitude: 14.6937,
    longitude: -17.4441,
    installationDate: "2024-01-15",
    reportingIntervalSeconds: 60,
  },
  {
    sensorId: "SENS002",
    locationName: "Dakar - Almadies",
    zone: "Residential",
    city: "Dakar",
    latitude: 14.7481,
    longitude: -17.4738,
    installationDate: "2024-02-01",
    reportingIntervalSeconds: 60,
  },
  {
    sensorId: "SENS003",
    locationName: "Saint-Louis - Centre Ville",
    zone: "Urban",
    city: "Saint-Louis",
    latitude: 16.0267,
    longitude: -16.4969,
    installationDate: "2024-02-15",
    reportingIntervalSeconds: 60,
  },
  {
    sensorId: "SENS004",
    locationName: "Dakar - Médina",
    zone: "Commercial",
    city: "Dakar",
    latitude: 14.6953,
    longitude: -17.4439,
    installationDate: "2024-03-01",
    reportingIntervalSeconds: 60,
  },
  {
    sensorId: "SENS005",
    locationName: "Dakar - HLM Grand Yoff",
    zone: "Residential",
    city: "Dakar",
    latitude: 14.75,
    longitude: -17.46,
    installationDate: "2024-03-15",
    reportingIntervalSeconds: 60,
  },
]);

export const REGISTRY: SensorRegistry = parseRegistry(SENSORS);
