-- The seed's query 1: sensors installed in Dakar, newest installation first.
SELECT
    sensor_id,
    location_name,
    location_type,
    installation_date
FROM sensors
WHERE location_name LIKE '%Dakar%'
ORDER BY installation_date DESC, sensor_id;
