-- The readings of [{{from}}, {{to}}), one row each, for the hourly roll-up to judge (each one's
-- correction and quality flags, from its raw values and its neighbours: lambdas/core/quality.ts)
-- and bin (lambdas/core/rollup.ts) as the other stores do, so that every home's figures come from
-- the same code. The hourly roll-up runs this file, bundled as text (lambdas/aws/timestream/sql.ts);
-- {{database}} and {{table}} are checked identifiers and the times ISO literals written by code.
--
-- Every column, not a list: the contract's optional pm25_b is a column only in a table that has
-- received one, and Timestream refuses a query that names a column it has never seen.
SELECT *
FROM "{{database}}"."{{table}}"
WHERE measure_name = 'air_quality'
  AND time >= from_iso8601_timestamp('{{from}}')
  AND time < from_iso8601_timestamp('{{to}}')
ORDER BY sensor_id, time
