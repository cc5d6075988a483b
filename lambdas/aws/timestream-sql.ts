/**
 * The SQL the roll-ups run on Timestream. A Lambda bundle cannot read repository files, so the
 * text lives here; sql/timestream/hourly_bins.sql and hourly_aggregates.sql hold the same text
 * for ad-hoc use, and a unit test keeps them identical.
 */
import { HOUR_MS, type HourRange } from "../core/aggregates.js";

export const HOURLY_BINS_SQL = `-- The readings binned by sensor and hour over [{{from}}, {{to}}): count, sum, min, max of each
-- measure. The roll-up maths (completeness, silent sensors, zones) stay in lambdas/core.
-- The hourly roll-up runs this exact text (lambdas/aws/timestream-sql.ts, checked by a test);
-- {{database}} and {{table}} are checked identifiers and the times ISO literals written by code.
SELECT
  sensor_id,
  bin(time, 1h) AS hour_start,
  count(*) AS readings,
  count(pm25) AS pm25_count, sum(pm25) AS pm25_sum, min(pm25) AS pm25_min, max(pm25) AS pm25_max,
  count(temperature) AS temperature_count, sum(temperature) AS temperature_sum,
  min(temperature) AS temperature_min, max(temperature) AS temperature_max,
  count(humidity) AS humidity_count, sum(humidity) AS humidity_sum,
  min(humidity) AS humidity_min, max(humidity) AS humidity_max,
  count(co2) AS co2_count, sum(co2) AS co2_sum, min(co2) AS co2_min, max(co2) AS co2_max
FROM "{{database}}"."{{table}}"
WHERE measure_name = 'air_quality'
  AND time >= from_iso8601_timestamp('{{from}}')
  AND time < from_iso8601_timestamp('{{to}}')
GROUP BY sensor_id, bin(time, 1h)
ORDER BY hour_start, sensor_id
`;

export const HOURLY_AGGREGATES_SQL = `-- The sensors' hourly rows over [{{from}}, {{to}}), read back by the zone roll-up. A re-run of the
-- hourly roll-up rewrites a row with a higher version, so each sensor and hour has one row.
-- The zone roll-up runs this exact text (lambdas/aws/timestream-sql.ts, checked by a test).
SELECT
  sensor_id,
  time AS hour_start,
  location_name, zone, city,
  readings, expected_readings, completeness,
  pm25_count, pm25_sum, pm25_min, pm25_max,
  temperature_count, temperature_sum, temperature_min, temperature_max,
  humidity_count, humidity_sum, humidity_min, humidity_max,
  co2_count, co2_sum, co2_min, co2_max
FROM "{{database}}"."{{table}}"
WHERE measure_name = 'sensor_hour'
  AND time >= from_iso8601_timestamp('{{from}}')
  AND time < from_iso8601_timestamp('{{to}}')
ORDER BY hour_start, sensor_id
`;

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
