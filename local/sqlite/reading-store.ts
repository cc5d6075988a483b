import type { EnrichedReading } from "../../lambdas/core/reading.js";
import type { ReadingStore, StoreRejection } from "../../lambdas/ports.js";
import type { Db } from "./database.js";
import { toSqliteTime } from "./time.js";

/** One SQLite transaction holds this many readings comfortably; the broker batches up to it. */
export const SQLITE_MAX_BATCH = 1000;

/** Constraint failures are about one reading (e.g. a sensor missing from `sensors`); anything else is the disk's. */
const isPermanentRefusal = (error: unknown): error is Error & { code: string } =>
  error instanceof Error && "code" in error && String(error.code).startsWith("SQLITE_CONSTRAINT");

export function makeSqliteReadingStore(db: Db): ReadingStore {
  // A replay of the same reading is one row; the delivery received last wins, as with Timestream's Version.
  const upsert = db.prepare(
    `INSERT INTO measurements
       (sensor_id, timestamp, pm25, temperature, humidity, co2, battery, rssi, firmware, received_at)
     VALUES (@sensorId, @timestamp, @pm25, @temperature, @humidity, @co2, @battery, @rssi, @firmware, @receivedAt)
     ON CONFLICT (sensor_id, timestamp) DO UPDATE SET
       pm25 = excluded.pm25, temperature = excluded.temperature, humidity = excluded.humidity,
       co2 = excluded.co2, battery = excluded.battery, rssi = excluded.rssi,
       firmware = excluded.firmware, received_at = excluded.received_at
     WHERE excluded.received_at > measurements.received_at`,
  );
  const writeAll = db.transaction((readings: readonly EnrichedReading[]) => {
    const rejections: StoreRejection[] = [];
    for (const [index, reading] of readings.entries()) {
      try {
        upsert.run({
          sensorId: reading.sensorId,
          timestamp: toSqliteTime(reading.timestamp),
          pm25: reading.pm25,
          temperature: reading.temperature,
          humidity: reading.humidity,
          co2: reading.co2,
          battery: reading.battery ?? null,
          rssi: reading.rssi ?? null,
          firmware: reading.firmware ?? null,
          receivedAt: reading.receivedAt,
        });
      } catch (error) {
        if (!isPermanentRefusal(error)) throw error;
        rejections.push({ index, reason: `${error.code}: ${error.message}` });
      }
    }
    return rejections;
  });
  return {
    maxBatchSize: SQLITE_MAX_BATCH,
    write: async (readings) => writeAll(readings),
  };
}
