-- The sensors' hourly rows over [{{from}}, {{to}}), read back by the zone roll-up, and by the
-- hourly roll-up for the NowCast's earlier hours. A re-run of the hourly roll-up rewrites a row
-- with a higher version, so each sensor and hour has one row. Both run this file, bundled as
-- text (lambdas/aws/timestream/sql.ts).
--
-- Every column, not a list: Timestream knows a table's columns only from the records written to
-- it and refuses a query that names one it has never seen. An hour in which a sensor sent nothing
-- has no minimum or maximum, so its record has no *_min, *_max or *_mean, and on a table that has
-- only seen such hours a query naming pm25_min would fail. The row holds sensor_id, time,
-- location_name, zone, city, readings, expected_readings, completeness and, per measure, *_count
-- and *_sum, with *_min and *_max when the table has them (null in an hour without readings), and
-- nowcast_pm25 likewise (null where the hour had no NowCast).
SELECT *
FROM "{{database}}"."{{table}}"
WHERE measure_name = 'sensor_hour'
  AND time >= from_iso8601_timestamp('{{from}}')
  AND time < from_iso8601_timestamp('{{to}}')
ORDER BY time, sensor_id
