import type { Sensor } from "../../lambdas/core/sensor.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { type Db, openDatabase, upsertSensors } from "../sqlite/database.js";

export const DEFAULT_DB_PATH = "./data/kaikai.db";

/** Opens the local database with the schema applied and `sensors` matching the registry. */
export function openLocalStore(path: string, sensors: readonly Sensor[] = SENSORS): Db {
  const db = openDatabase(path);
  upsertSensors(db, sensors);
  return db;
}
