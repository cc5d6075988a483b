import type { ReasonCode } from "../../lambdas/core/reading.js";
import type { Quarantine, QuarantineEntry } from "../../lambdas/ports.js";
import { type Db, payloadSha256 } from "./database.js";

export interface QuarantineRow extends QuarantineEntry {
  readonly id: number;
  /** ISO 8601 of the replay that got the reading stored; null while it is still refused. */
  readonly replayedAt: string | null;
}

export interface QuarantineFilter {
  readonly reason?: ReasonCode;
  readonly id?: number;
  /** Only rows not yet stored by a replay. */
  readonly pendingOnly?: boolean;
}

export interface SqliteQuarantine extends Quarantine {
  list(filter: QuarantineFilter): QuarantineRow[];
  countsByReason(): { reason: string; pending: number; replayed: number }[];
  markReplayed(id: number, at: string): void;
  /** A replay refused the reading again, possibly for another reason (e.g. after a registry change). */
  updateReason(id: number, reason: ReasonCode, detail: string): void;
}

interface RawRow {
  id: number;
  reason: ReasonCode;
  detail: string;
  topic: string;
  sensor_id: string | null;
  received_at: string;
  payload: string;
  payload_encoding: "utf8" | "base64";
  replayed_at: string | null;
}

const toRow = (raw: RawRow): QuarantineRow => ({
  id: raw.id,
  reason: raw.reason,
  detail: raw.detail,
  topic: raw.topic,
  ...(raw.sensor_id === null ? {} : { sensorId: raw.sensor_id }),
  receivedAt: raw.received_at,
  payload: raw.payload,
  payloadEncoding: raw.payload_encoding,
  replayedAt: raw.replayed_at,
});

export function makeSqliteQuarantine(db: Db): SqliteQuarantine {
  // A message already quarantined (the same topic and payload bytes) is not added again: the
  // broker acknowledges only once it is kept, so a resend after a lost acknowledgement is common.
  const insert = db.prepare(
    `INSERT INTO quarantine (reason, detail, topic, sensor_id, received_at, payload, payload_encoding, payload_sha256)
     SELECT @reason, @detail, @topic, @sensorId, @receivedAt, @payload, @payloadEncoding, @payloadSha256
     WHERE NOT EXISTS (SELECT 1 FROM quarantine WHERE topic = @topic AND payload_sha256 = @payloadSha256)`,
  );
  const insertAll = db.transaction((entries: readonly QuarantineEntry[]) => {
    for (const entry of entries) {
      insert.run({
        reason: entry.reason,
        detail: entry.detail,
        topic: entry.topic,
        sensorId: entry.sensorId ?? null,
        receivedAt: entry.receivedAt,
        payload: entry.payload,
        payloadEncoding: entry.payloadEncoding,
        payloadSha256: payloadSha256(entry.payload, entry.payloadEncoding),
      });
    }
  });
  const select = db.prepare(
    `SELECT quarantine_id AS id, reason, detail, topic, sensor_id, received_at, payload, payload_encoding, replayed_at
     FROM quarantine
     WHERE (@reason IS NULL OR reason = @reason) AND (@id IS NULL OR quarantine_id = @id)
       AND (@pendingOnly = 0 OR replayed_at IS NULL)
     ORDER BY quarantine_id`,
  );
  const counts = db.prepare(
    `SELECT reason, SUM(replayed_at IS NULL) AS pending, SUM(replayed_at IS NOT NULL) AS replayed
     FROM quarantine GROUP BY reason ORDER BY reason`,
  );
  const replayed = db.prepare("UPDATE quarantine SET replayed_at = ? WHERE quarantine_id = ?");
  const reasonUpdate = db.prepare("UPDATE quarantine SET reason = ?, detail = ? WHERE quarantine_id = ?");
  return {
    put: async (entries) => {
      insertAll(entries);
    },
    list: (filter) =>
      (
        select.all({
          reason: filter.reason ?? null,
          id: filter.id ?? null,
          pendingOnly: filter.pendingOnly === true ? 1 : 0,
        }) as RawRow[]
      ).map(toRow),
    countsByReason: () => counts.all() as { reason: string; pending: number; replayed: number }[],
    markReplayed: (id, at) => {
      replayed.run(at, id);
    },
    updateReason: (id, reason, detail) => {
      reasonUpdate.run(reason, detail, id);
    },
  };
}
