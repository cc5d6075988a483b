import type { EnrichedReading } from "../../lambdas/core/reading.js";
import type { ReadingStore, StoreRejection, StoreWriteResult } from "../../lambdas/ports.js";
import type { Db } from "./database.js";
import { fromSqliteTime, toSqliteTime } from "./time.js";

/** One SQLite transaction holds this many readings comfortably; the broker batches up to it. */
export const SQLITE_MAX_BATCH = 1000;

/** Constraint failures are about one reading (e.g. a sensor missing from `sensors`); anything else is the disk's. */
const isPermanentRefusal = (error: unknown): error is Error & { code: string } =>
  error instanceof Error && "code" in error && String(error.code).startsWith("SQLITE_CONSTRAINT");

/** The values a reading says, as the columns hold them: what an identical re-send must repeat. */
const VALUE_COLUMNS = ["pm25", "temperature", "humidity", "co2", "pm25_b", "battery", "rssi", "firmware"] as const;
type StoredValues = Record<(typeof VALUE_COLUMNS)[number], number | string | null>;

function valuesOf(reading: EnrichedReading): StoredValues {
  return {
    pm25: reading.pm25,
    temperature: reading.temperature,
    humidity: reading.humidity,
    co2: reading.co2,
    pm25_b: reading.pm25B ?? null,
    battery: reading.battery ?? null,
    rssi: reading.rssi ?? null,
    firmware: reading.firmware ?? null,
  };
}

/**
 * Readings are immutable: a re-send of a stored sensor and time is a no-op when its values are the
 * same, and a `conflicting_duplicate` that leaves the stored row as it is when they differ. The
 * receive time kept is the first delivery's.
 */
export function makeSqliteReadingStore(db: Db): ReadingStore {
  const insert = db.prepare(
    `INSERT INTO measurements
       (sensor_id, timestamp, pm25, temperature, humidity, co2, pm25_b, battery, rssi, firmware, received_at,
        quality_flags, pm25_corrected, correction_version)
     VALUES (@sensorId, @timestamp, @pm25, @temperature, @humidity, @co2, @pm25_b, @battery, @rssi, @firmware,
        @receivedAt, @flags, @pm25Corrected, @correction)
     ON CONFLICT (sensor_id, timestamp) DO NOTHING`,
  );
  const stored = db.prepare<[string, string], StoredValues>(
    `SELECT ${VALUE_COLUMNS.join(", ")} FROM measurements WHERE sensor_id = ? AND timestamp = ?`,
  );
  const writeAll = db.transaction((readings: readonly EnrichedReading[]): StoreWriteResult => {
    const rejections: StoreRejection[] = [];
    for (const [index, reading] of readings.entries()) {
      const timestamp = toSqliteTime(reading.timestamp);
      const values = valuesOf(reading);
      try {
        if (
          insert.run({
            sensorId: reading.sensorId,
            timestamp,
            ...values,
            receivedAt: reading.receivedAt,
            flags: reading.flags.length === 0 ? "[]" : JSON.stringify(reading.flags),
            pm25Corrected: reading.pm25Corrected,
            correction: reading.correction,
          }).changes > 0
        ) {
          continue;
        }
      } catch (error) {
        if (!isPermanentRefusal(error)) throw error;
        rejections.push({ index, code: "store_rejected", reason: `${error.code}: ${error.message}` });
        continue;
      }
      const existing = stored.get(reading.sensorId, timestamp);
      const differing = VALUE_COLUMNS.filter((column) => existing?.[column] !== values[column]);
      if (differing.length > 0) {
        rejections.push({ index, code: "conflicting_duplicate", reason: conflictDetail(differing, existing, values) });
      }
    }
    return { rejected: rejections, unwritten: [] };
  });
  return {
    maxBatchSize: SQLITE_MAX_BATCH,
    write: async (readings) => writeAll(readings),
  };
}

function conflictDetail(
  columns: readonly (typeof VALUE_COLUMNS)[number][],
  existing: StoredValues | undefined,
  sent: StoredValues,
): string {
  const changes = columns.map((column) => `${column} ${existing?.[column] ?? "null"} (sent ${sent[column] ?? "null"})`);
  return `a reading of this sensor and time is already stored with other values, kept as they are: ${changes.join(", ")}`;
}

/** What a database already holds, for a restart to say what it resumes and to backfill only the gap. */
export interface StoredSoFar {
  readonly readings: number;
  /** Epoch ms of the newest reading of all; null with none stored. */
  readonly newest: number | null;
  /** Each sensor's newest reading, for the sensors that have one. */
  readonly newestBySensor: ReadonlyMap<string, number>;
}

export function storedSoFar(db: Db, sensorIds: Iterable<string>): StoredSoFar {
  // MAX over the (sensor_id, timestamp) key: one index lookup per sensor, whatever the table's size.
  const newestOf = db
    .prepare<[string], string | null>("SELECT MAX(timestamp) FROM measurements WHERE sensor_id = ?")
    .pluck();
  const newestBySensor = new Map<string, number>();
  for (const sensorId of sensorIds) {
    const newest = newestOf.get(sensorId);
    if (typeof newest === "string") newestBySensor.set(sensorId, fromSqliteTime(newest));
  }
  const readings =
    (db.prepare("SELECT COALESCE(SUM(readings), 0) FROM measurement_hour_totals").pluck().get() as number) ?? 0;
  const newest = newestBySensor.size === 0 ? null : Math.max(...newestBySensor.values());
  return { readings, newest, newestBySensor };
}
