import type { SensorAlertStates } from "../../lambdas/core/alerts.js";
import { type AlertStateStore, VersionConflictError } from "../../lambdas/ports.js";
import type { Db } from "./database.js";

/**
 * Open (rule, sensor) alerts in the alert state. A resolved alert keeps its rule's state with
 * openedAt null: only the others are open.
 */
export function countOpenAlerts(db: Db): number {
  return (
    db
      .prepare<[], number>(
        "SELECT COUNT(*) FROM alert_state, json_each(alert_state.state) WHERE json_each.value ->> 'openedAt' IS NOT NULL",
      )
      .pluck()
      .get() ?? 0
  );
}

export function makeSqliteAlertStateStore(db: Db): AlertStateStore {
  const select = db.prepare<[string], { state: string; version: number }>(
    "SELECT state, version FROM alert_state WHERE sensor_id = ?",
  );
  const insert = db.prepare(
    "INSERT INTO alert_state (sensor_id, state, version) VALUES (?, ?, 1) ON CONFLICT (sensor_id) DO NOTHING",
  );
  const update = db.prepare(
    "UPDATE alert_state SET state = ?, version = version + 1 WHERE sensor_id = ? AND version = ?",
  );
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
  };
}
