-- The seed's query 4, gathering only: per zone, the sensors with readings, the readings and the
-- sums of each measure (from measurement_hour_totals, exact, see schema.sql). Means, rank,
-- evaluation and AQI are computed by lambdas/core, like the cloud's zone roll-up.
-- Totals are summed per sensor first, in the primary key's order, so that only one row per
-- sensor is joined and grouped by zone, instead of sorting every sensor-hour by zone.
-- Every zone of `sensors` appears, one without readings too (0 sensors with readings, no means),
-- where the seed's inner join would leave it out without a word.
SELECT
    s.location_type AS zone,
    COUNT(t.sensor_id) AS sensors,
    COALESCE(SUM(t.readings), 0) AS measurements,
    COALESCE(SUM(t.pm25_sum), 0) AS pm25_sum,
    COALESCE(SUM(t.temperature_sum), 0) AS temperature_sum,
    COALESCE(SUM(t.humidity_sum), 0) AS humidity_sum,
    COALESCE(SUM(t.co2_sum), 0) AS co2_sum
FROM sensors s
LEFT JOIN (
    SELECT
        sensor_id,
        SUM(readings) AS readings,
        SUM(pm25_sum) AS pm25_sum,
        SUM(temperature_sum) AS temperature_sum,
        SUM(humidity_sum) AS humidity_sum,
        SUM(co2_sum) AS co2_sum
    FROM measurement_hour_totals
    GROUP BY sensor_id
) t ON t.sensor_id = s.sensor_id
GROUP BY s.location_type;
