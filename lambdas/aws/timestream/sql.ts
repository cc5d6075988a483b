/**
 * The SQL the roll-ups run on Timestream: the files of sql/timestream, bundled as text (esbuild's
 * text loader in the house function construct, a plugin of the same effect under vitest), so
 * that the file an analyst opens is the query that runs.
 */

import HOURLY_AGGREGATES_SQL from "../../../sql/timestream/hourly-aggregates.sql";
import HOURLY_READINGS_SQL from "../../../sql/timestream/hourly-readings.sql";
import type { HourRange } from "../../core/aggregates.js";
import { HOUR_MS } from "../../core/time.js";

export { HOURLY_AGGREGATES_SQL, HOURLY_READINGS_SQL };

/** Database and table names as Timestream allows them (3 to 256 of letters, digits, _ . -). */
const IDENTIFIER = /^[A-Za-z0-9_.-]{3,256}$/;

export interface SqlTarget {
  readonly database: string;
  readonly table: string;
}

/**
 * Fills a template. Names must be plain identifiers and times come in as epoch ms on hour
 * boundaries: nothing a caller passes is pasted into the query as text.
 */
export function renderSql(template: string, target: SqlTarget, range: HourRange): string {
  for (const name of [target.database, target.table]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a Timestream identifier: ${JSON.stringify(name)}`);
  }
  for (const time of [range.from, range.to]) {
    if (!Number.isSafeInteger(time) || time % HOUR_MS !== 0) throw new Error(`not an hour boundary: ${time}`);
  }
  if (range.to <= range.from) throw new Error("empty hour range");
  const values: Record<string, string> = {
    database: target.database,
    table: target.table,
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
  };
  return template.replace(/\{\{(\w+)\}\}/g, (_placeholder, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`no value for {{${key}}}`);
    return value;
  });
}
