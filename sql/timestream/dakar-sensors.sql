-- Seed query 1 in Timestream's dialect: sensors in Dakar, newest first.
-- Timestream has no sensors table: sensors are the dimensions of their readings, so only sensors
-- that sent something appear, and the installation date (kept in lib/config/sensors.ts) is
-- replaced by the first reading stored. Replace {{database}} with the stage's database.
SELECT
  sensor_id AS "ID Capteur",
  location_name AS "Localisation",
  zone AS "Type de Zone",
  min(time) AS "Première Mesure"
FROM "{{database}}"."measurements"
WHERE measure_name = 'air_quality'
  AND location_name LIKE '%Dakar%'
GROUP BY sensor_id, location_name, zone
ORDER BY min(time) DESC
