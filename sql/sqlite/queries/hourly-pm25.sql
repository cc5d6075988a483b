-- The seed's query 3: mean PM2.5 per sensor and hour of day over the last 24 hours (@now: the
-- current time as 'YYYY-MM-DD HH:MM:SS' UTC, i.e. datetime('now')). Whole hours after the cutoff
-- come from measurement_hour_totals (exact, see schema.sql); only the cutoff's own hour is read
-- from measurements, from the cutoff on. As in the seed, the cutoff's hour of day and the current
-- one share a row.
WITH bounds AS (
    SELECT
        datetime(@now, '-24 hours') AS cutoff,
        datetime(strftime('%Y-%m-%d %H:00:00', datetime(@now, '-24 hours')), '+1 hour') AS next_hour
),
parts AS (
    SELECT t.sensor_id, strftime('%H', t.hour) AS hour_of_day, t.readings, t.pm25_sum
    FROM measurement_hour_totals t, bounds b
    WHERE t.hour >= b.next_hour
    UNION ALL
    SELECT m.sensor_id, strftime('%H', m.timestamp), 1, m.pm25
    FROM measurements m, bounds b
    WHERE m.timestamp >= b.cutoff AND m.timestamp < b.next_hour
)
SELECT
    s.sensor_id,
    s.location_name,
    p.hour_of_day AS hour,
    ROUND(SUM(p.pm25_sum) / SUM(p.readings), 2) AS pm25_mean,
    SUM(p.readings) AS measurements
FROM sensors s
JOIN parts p ON p.sensor_id = s.sensor_id
GROUP BY s.sensor_id, s.location_name, p.hour_of_day
ORDER BY s.sensor_id, p.hour_of_day;
