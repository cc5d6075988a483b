-- measurement_hour_totals computed again from every reading: after a migration that changed its
-- columns, and after a bulk load that ran without its triggers (bench/analytics.ts).
DELETE FROM measurement_hour_totals;
INSERT INTO measurement_hour_totals (sensor_id, hour, readings, pm25_sum, pm25_min, pm25_max, temperature_sum, temperature_min, temperature_max, humidity_sum, humidity_min, humidity_max, co2_sum, co2_min, co2_max, official_count, official_sum, official_min, official_max)
SELECT sensor_id, strftime('%Y-%m-%d %H:00:00', timestamp), COUNT(*), SUM(pm25), MIN(pm25), MAX(pm25), SUM(temperature), MIN(temperature), MAX(temperature), SUM(humidity), MIN(humidity), MAX(humidity), SUM(co2), MIN(co2), MAX(co2),
  SUM(CASE WHEN quality_flags = '[]' AND pm25_corrected IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN quality_flags = '[]' AND pm25_corrected IS NOT NULL THEN pm25_corrected ELSE 0 END),
  MIN(CASE WHEN quality_flags = '[]' THEN pm25_corrected END),
  MAX(CASE WHEN quality_flags = '[]' THEN pm25_corrected END)
FROM measurements
GROUP BY 1, 2;
