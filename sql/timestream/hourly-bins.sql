-- The readings binned by sensor and hour over [{{from}}, {{to}}): count, sum, min, max of each
-- measure, the official PM2.5 (pm25_corrected of the readings without a quality flag), and the
-- readings counted by the flags ingest sets (quality_flags is their JSON array, '[]' for none).
-- The roll-up maths (completeness, coverage, silent sensors, zones) stay in lambdas/core.
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
  count(co2) AS co2_count, sum(co2) AS co2_sum, min(co2) AS co2_min, max(co2) AS co2_max,
  count(CASE WHEN quality_flags = '[]' THEN pm25_corrected END) AS pm25_corrected_count,
  sum(CASE WHEN quality_flags = '[]' THEN pm25_corrected END) AS pm25_corrected_sum,
  min(CASE WHEN quality_flags = '[]' THEN pm25_corrected END) AS pm25_corrected_min,
  max(CASE WHEN quality_flags = '[]' THEN pm25_corrected END) AS pm25_corrected_max,
  sum(CASE WHEN strpos(quality_flags, '"fog"') > 0 THEN 1 ELSE 0 END) AS flag_fog,
  sum(CASE WHEN strpos(quality_flags, '"co2_below_background"') > 0 THEN 1 ELSE 0 END) AS flag_co2_below_background,
  sum(CASE WHEN strpos(quality_flags, '"channel_disagreement"') > 0 THEN 1 ELSE 0 END) AS flag_channel_disagreement,
  sum(CASE WHEN strpos(quality_flags, '"no_humidity"') > 0 THEN 1 ELSE 0 END) AS flag_no_humidity
FROM "{{database}}"."{{table}}"
WHERE measure_name = 'air_quality'
  AND time >= from_iso8601_timestamp('{{from}}')
  AND time < from_iso8601_timestamp('{{to}}')
GROUP BY sensor_id, bin(time, 1h)
ORDER BY hour_start, sensor_id
