-- The readings binned by sensor and hour over [{{from}}, {{to}}): count, sum, min, max of each
-- measure. The roll-up maths (completeness, silent sensors, zones) stay in lambdas/core.
-- The hourly roll-up runs this file, bundled as text (lambdas/aws/timestream/sql.ts);
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
