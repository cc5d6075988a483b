-- Seed query 4 in Timestream's dialect: air quality by zone, ranked, with the seed's evaluation.
-- The zone is a dimension of each reading (location_type in the seed). Averages are over the
-- readings themselves, so each sensor weighs by its readings. The scheduled zone roll-up
-- computes the same figures per hour in lambdas/core (ties share a rank there).
-- Replace {{database}} with the stage's database.
WITH zone_stats AS (
  SELECT
    zone,
    count(DISTINCT sensor_id) AS nb_capteurs,
    count(*) AS nb_mesures,
    avg(pm25) AS avg_pm25,
    avg(temperature) AS avg_temp,
    avg(humidity) AS avg_humidity,
    avg(co2) AS avg_co2
  FROM "{{database}}"."measurements"
  WHERE measure_name = 'air_quality'
  GROUP BY zone
),
zone_ranking AS (
  SELECT *, row_number() OVER (ORDER BY avg_pm25 ASC) AS rang_qualite_air
  FROM zone_stats
)
SELECT
  zone AS "Type de Zone",
  nb_capteurs AS "Nombre de Capteurs",
  nb_mesures AS "Total Mesures",
  round(avg_pm25, 2) AS "PM2.5 Moyenne",
  round(avg_temp, 1) AS "Température Moyenne",
  round(avg_humidity, 1) AS "Humidité Moyenne",
  round(avg_co2, 0) AS "CO2 Moyen",
  rang_qualite_air AS "Rang Qualité Air",
  CASE
    WHEN avg_pm25 <= 12 THEN 'EXCELLENT'
    WHEN avg_pm25 <= 35 THEN 'MODERATE'
    WHEN avg_pm25 <= 55 THEN 'POOR'
    ELSE 'CRITICAL'
  END AS "Évaluation"
FROM zone_ranking
ORDER BY rang_qualite_air
