/**
 * SQLite's own datetime text ('YYYY-MM-DD HH:MM:SS', UTC, '.SSS' only when there are
 * milliseconds): what `datetime('now', ...)` produces, so stored times compare with it as text.
 * One epoch ms always gives the same text, which the unique key on (sensor_id, timestamp) needs.
 */
export function toSqliteTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  const seconds = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  return epochMs % 1000 === 0 ? seconds : `${seconds}${iso.slice(19, 23)}`;
}

export function fromSqliteTime(text: string): number {
  return Date.parse(`${text.replace(" ", "T")}Z`);
}
