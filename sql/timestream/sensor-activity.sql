-- Seed query 2 in Timestream's dialect: per sensor, readings, last reading and mean PM2.5.
-- Timestream has no sensors table to LEFT JOIN: a sensor without readings in the retention
-- window does not appear (the hourly roll-up's rows with readings = 0 show silent sensors).
-- Replace {{database}} with the stage's database.
SELECT
  sensor_id AS "ID Capteur",
  location_name AS "Localisation",
  count(*) AS "Nombre Total de Mesures",
  max(time) AS "Dernière Date de Mesure",
  round(avg(pm25), 2) AS "PM2.5 Moyenne"
FROM "{{database}}"."measurements"
WHERE measure_name = 'air_quality'
GROUP BY sensor_id, location_name
ORDER BY count(*) DESC
