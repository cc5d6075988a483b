-- The seed's query 2: per sensor, the number of readings, the last reading's time and the mean
-- PM2.5. Counts and sums come from measurement_hour_totals (kept exact by triggers, see
-- schema.sql) and the last time from the (sensor_id, timestamp) key, so the answer is the seed's
-- without scanning every reading.
SELECT
    s.sensor_id,
    s.location_name,
    COALESCE(t.readings, 0) AS measurements,
    (SELECT MAX(m.timestamp) FROM measurements m WHERE m.sensor_id = s.sensor_id) AS last_measurement,
    ROUND(t.pm25_sum / t.readings, 2) AS pm25_mean
FROM sensors s
LEFT JOIN (
    SELECT sensor_id, SUM(readings) AS readings, SUM(pm25_sum) AS pm25_sum
    FROM measurement_hour_totals
    GROUP BY sensor_id
) t ON t.sensor_id = s.sensor_id
ORDER BY measurements DESC, s.sensor_id;
