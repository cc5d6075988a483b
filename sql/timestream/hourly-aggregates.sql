-- The sensors' hourly rows over [{{from}}, {{to}}), read back by the zone roll-up. A re-run of the
-- hourly roll-up rewrites a row with a higher version, so each sensor and hour has one row.
-- The zone roll-up runs this file, bundled as text (lambdas/aws/timestream/sql.ts).
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
