-- Seed query 3 in Timestream's dialect: hourly mean PM2.5 per sensor over the last 24 hours.
-- Hours are bin(time, 1h) in UTC rather than the hour of the day, so two days do not merge.
-- Replace {{database}} with the stage's database.
SELECT
  sensor_id AS "ID Capteur",
  location_name AS "Localisation",
  bin(time, 1h) AS "Heure",
  round(avg(pm25), 2) AS "PM2.5 Moyenne",
  count(*) AS "Nb Mesures"
FROM "{{database}}"."measurements"
WHERE measure_name = 'air_quality'
  AND time >= ago(24h)
GROUP BY sensor_id, location_name, bin(time, 1h)
ORDER BY sensor_id, bin(time, 1h)
