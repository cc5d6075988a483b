import type { SensorAlertStates } from "../../lambdas/core/alert-types.js";
import { type AlertStateStore, VersionConflictError } from "../../lambdas/ports.js";
import type { Db } from "./database.js";

export function makeSqliteAlertStateStore(db: Db): AlertStateStore & { openAlerts(): number } {
  const select = db.prepare<[string], { state: string; version: number }>(
    "SELECT state, version FROM alert_state WHERE sensor_id = ?",
  );
  const insert = db.prepare(
    "INSERT INTO alert_state (sensor_id, state, version) VALUES (?, ?, 1) ON CONFLICT (sensor_id) DO NOTHING",
  );
  const update = db.prepare(
    "UPDATE alert_state SET state = ?, version = version + 1 WHERE sensor_id = ? AND version = ?",
  );
  const all = db.prepare<[], { state: string }>("SELECT state FROM alert_state");
  return {
    load: async (sensorId) => {
      const row = select.get(sensorId);
      if (row === undefined) return { states: {}, version: null };
      return { states: JSON.parse(row.state) as SensorAlertStates, version: row.version };
    },
    save: async (sensorId, states, expectedVersion) => {
      const json = JSON.stringify(states);
      const result =
        expectedVersion === null ? insert.run(sensorId, json) : update.run(json, sensorId, expectedVersion);
      if (result.changes === 0) throw new VersionConflictError(sensorId);
    },
    openAlerts: () =>
      all
        .all()
        .reduce(
          (open, row) =>
            open +
            Object.values(JSON.parse(row.state) as SensorAlertStates).filter((state) => state.openedAt !== null).length,
          0,
        ),
  };
}
