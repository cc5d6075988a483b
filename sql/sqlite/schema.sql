-- Kaikai local store (SQLite). Applied on every start: every statement is idempotent. What it
-- cannot change in an existing database (a table's columns) is a migration in local/sqlite/database.ts.
--
-- Times: `measurements.timestamp` is UTC text 'YYYY-MM-DD HH:MM:SS' (with '.SSS' when the reading
-- has milliseconds), the format of SQLite's datetime('now', ...), so that the seed's queries
-- (`m.timestamp >= datetime('now','-24 hours')`, `strftime('%H', m.timestamp)`) compare and
-- extract correctly. Hours are 'YYYY-MM-DD HH:00:00' in the same format. Versions and receive
-- times are epoch milliseconds, as in the cloud store.
--
-- The roll-ups keep a JSON `extra_measures` column for the measures without columns of their own
-- (the official, corrected PM2.5), shaped like lambdas/core/aggregates.ts MeasureStats by name.

-- The seed's table, verbatim (so that the seed's `INSERT INTO sensors VALUES (...)` loads).
CREATE TABLE IF NOT EXISTS sensors (
    sensor_id TEXT PRIMARY KEY,
    location_name TEXT NOT NULL,
    location_type TEXT NOT NULL,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    installation_date DATE NOT NULL
);

-- What the registry says of a sensor beyond the seed's columns.
CREATE TABLE IF NOT EXISTS sensor_registry (
    sensor_id TEXT PRIMARY KEY REFERENCES sensors(sensor_id) ON DELETE CASCADE,
    city TEXT NOT NULL,
    reporting_interval_seconds INTEGER NOT NULL
);

-- The seed's table: its columns as the seed has them, then the pipeline's, every one nullable or
-- defaulted so that the seed's INSERT of its six columns loads. One row per sensor and time,
-- never changed once stored: a replayed reading is stored once, the first delivery is kept, and
-- a re-send with other values is quarantined (local/sqlite/reading-store.ts inserts only where
-- no row has the key).
CREATE TABLE IF NOT EXISTS measurements (
    measurement_id INTEGER PRIMARY KEY AUTOINCREMENT,
    sensor_id TEXT NOT NULL,
    timestamp DATETIME NOT NULL,
    pm25 REAL NOT NULL,
    temperature REAL NOT NULL,
    humidity REAL NOT NULL,
    co2 INTEGER NOT NULL,
    battery REAL,
    rssi REAL,
    firmware TEXT,
    -- Epoch ms the broker received the reading's first delivery; for a row inserted by hand, the
    -- time of the insert.
    received_at INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)),
    -- JSON array of quality flag codes (lambdas/core/quality.ts); NULL: not judged yet. Set at
    -- ingest from the reading alone, completed by the roll-up of its hour from its neighbours.
    quality_flags TEXT,
    -- PM2.5 corrected for the sensor's instrument, beside the raw value (lambdas/core/correction.ts),
    -- and the correction's identifier@version; NULL: not corrected yet (or no humidity to do it).
    pm25_corrected REAL,
    correction_version TEXT,
    -- The contract's second PM channel, where the sensor has one.
    pm25_b REAL,
    -- Epoch ms of the roll-up run that judged the reading with its neighbours; NULL until one has.
    judged_at INTEGER,
    FOREIGN KEY (sensor_id) REFERENCES sensors(sensor_id),
    UNIQUE (sensor_id, timestamp)
);

-- The seed's four indexes.
CREATE INDEX IF NOT EXISTS idx_measurements_sensor_id ON measurements(sensor_id);
CREATE INDEX IF NOT EXISTS idx_measurements_timestamp ON measurements(timestamp);
CREATE INDEX IF NOT EXISTS idx_measurements_pm25 ON measurements(pm25);
CREATE INDEX IF NOT EXISTS idx_sensors_location ON sensors(location_name);
-- The health report counts what was stored in its window by arrival, like the quarantine and the
-- cloud's ingest metrics: a backfill of old readings is recent flow, not history.
CREATE INDEX IF NOT EXISTS idx_measurements_received_at ON measurements(received_at);
-- The roll-up judges only the readings no run has judged with their neighbours, and counts the
-- flagged ones by flag: both are few once the pipeline runs, and these indexes hold only them.
CREATE INDEX IF NOT EXISTS idx_measurements_unjudged ON measurements(timestamp) WHERE judged_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_measurements_flagged ON measurements(timestamp)
    WHERE quality_flags IS NOT NULL AND quality_flags != '[]';

-- Exact running figures per sensor and hour (count, and sum, min and max of each measure), kept
-- by the triggers below in the same transaction as the readings. The seed's reports promise
-- < 100 ms on millions of rows, and the hourly roll-up runs on a thousand sensors: both read here
-- instead of scanning `measurements`, and get the same answer because every insert, update and
-- delete of a reading is reflected here atomically. A minimum or maximum cannot be taken back,
-- so removing or changing a reading (by hand: the pipeline only inserts) reads that sensor-hour's
-- remaining readings again.
CREATE TABLE IF NOT EXISTS measurement_hour_totals (
    sensor_id TEXT NOT NULL,
    hour TEXT NOT NULL,
    readings INTEGER NOT NULL,
    pm25_sum REAL NOT NULL,
    pm25_min REAL NOT NULL,
    pm25_max REAL NOT NULL,
    temperature_sum REAL NOT NULL,
    temperature_min REAL NOT NULL,
    temperature_max REAL NOT NULL,
    humidity_sum REAL NOT NULL,
    humidity_min REAL NOT NULL,
    humidity_max REAL NOT NULL,
    co2_sum REAL NOT NULL,
    co2_min REAL NOT NULL,
    co2_max REAL NOT NULL,
    -- The official PM2.5 of the hour: count and sum of pm25_corrected over the readings judged
    -- without a quality flag (quality_flags '[]'), kept by the same triggers.
    official_count INTEGER NOT NULL DEFAULT 0,
    official_sum REAL NOT NULL DEFAULT 0,
    official_min REAL,
    official_max REAL,
    PRIMARY KEY (sensor_id, hour)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idx_measurement_hour_totals_hour ON measurement_hour_totals(hour);

CREATE TRIGGER IF NOT EXISTS measurements_totals_insert AFTER INSERT ON measurements
BEGIN
    INSERT INTO measurement_hour_totals
        (sensor_id, hour, readings, pm25_sum, pm25_min, pm25_max, temperature_sum, temperature_min, temperature_max, humidity_sum, humidity_min, humidity_max, co2_sum, co2_min, co2_max, official_count, official_sum, official_min, official_max)
    VALUES (NEW.sensor_id, strftime('%Y-%m-%d %H:00:00', NEW.timestamp), 1,
            NEW.pm25, NEW.pm25, NEW.pm25, NEW.temperature, NEW.temperature, NEW.temperature, NEW.humidity, NEW.humidity, NEW.humidity, NEW.co2, NEW.co2, NEW.co2,
            CASE WHEN NEW.quality_flags = '[]' AND NEW.pm25_corrected IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN NEW.quality_flags = '[]' AND NEW.pm25_corrected IS NOT NULL THEN NEW.pm25_corrected ELSE 0 END,
            CASE WHEN NEW.quality_flags = '[]' AND NEW.pm25_corrected IS NOT NULL THEN NEW.pm25_corrected END, CASE WHEN NEW.quality_flags = '[]' AND NEW.pm25_corrected IS NOT NULL THEN NEW.pm25_corrected END)
    ON CONFLICT (sensor_id, hour) DO UPDATE SET
        readings = readings + 1,
        pm25_sum = pm25_sum + excluded.pm25_sum,
        pm25_min = MIN(pm25_min, excluded.pm25_min),
        pm25_max = MAX(pm25_max, excluded.pm25_max),
        temperature_sum = temperature_sum + excluded.temperature_sum,
        temperature_min = MIN(temperature_min, excluded.temperature_min),
        temperature_max = MAX(temperature_max, excluded.temperature_max),
        humidity_sum = humidity_sum + excluded.humidity_sum,
        humidity_min = MIN(humidity_min, excluded.humidity_min),
        humidity_max = MAX(humidity_max, excluded.humidity_max),
        co2_sum = co2_sum + excluded.co2_sum,
        co2_min = MIN(co2_min, excluded.co2_min),
        co2_max = MAX(co2_max, excluded.co2_max),
        official_count = official_count + excluded.official_count,
        official_sum = official_sum + excluded.official_sum,
        official_min = CASE WHEN excluded.official_min IS NULL THEN official_min WHEN official_min IS NULL THEN excluded.official_min ELSE MIN(official_min, excluded.official_min) END,
        official_max = CASE WHEN excluded.official_max IS NULL THEN official_max WHEN official_max IS NULL THEN excluded.official_max ELSE MAX(official_max, excluded.official_max) END;
END;

CREATE TRIGGER IF NOT EXISTS measurements_totals_delete AFTER DELETE ON measurements
BEGIN
    UPDATE measurement_hour_totals SET
        readings = readings - 1,
        pm25_sum = pm25_sum - OLD.pm25,
        temperature_sum = temperature_sum - OLD.temperature,
        humidity_sum = humidity_sum - OLD.humidity,
        co2_sum = co2_sum - OLD.co2,
        official_count = official_count - (CASE WHEN OLD.quality_flags = '[]' AND OLD.pm25_corrected IS NOT NULL THEN 1 ELSE 0 END),
        official_sum = official_sum - (CASE WHEN OLD.quality_flags = '[]' AND OLD.pm25_corrected IS NOT NULL THEN OLD.pm25_corrected ELSE 0 END)
    WHERE sensor_id = OLD.sensor_id AND hour = strftime('%Y-%m-%d %H:00:00', OLD.timestamp);
    DELETE FROM measurement_hour_totals
    WHERE sensor_id = OLD.sensor_id AND hour = strftime('%Y-%m-%d %H:00:00', OLD.timestamp) AND readings = 0;
    UPDATE measurement_hour_totals AS t SET
        pm25_min = (SELECT MIN(pm25) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour')),
        pm25_max = (SELECT MAX(pm25) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour')),
        temperature_min = (SELECT MIN(temperature) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour')),
        temperature_max = (SELECT MAX(temperature) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour')),
        humidity_min = (SELECT MIN(humidity) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour')),
        humidity_max = (SELECT MAX(humidity) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour')),
        co2_min = (SELECT MIN(co2) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour')),
        official_min = (SELECT MIN(pm25_corrected) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour') AND m.quality_flags = '[]'),
        official_max = (SELECT MAX(pm25_corrected) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour') AND m.quality_flags = '[]'),
        co2_max = (SELECT MAX(co2) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour'))
    WHERE sensor_id = OLD.sensor_id AND hour = strftime('%Y-%m-%d %H:00:00', OLD.timestamp);
END;

CREATE TRIGGER IF NOT EXISTS measurements_totals_update
AFTER UPDATE OF sensor_id, timestamp, pm25, temperature, humidity, co2 ON measurements
BEGIN
    UPDATE measurement_hour_totals SET
        readings = readings - 1,
        pm25_sum = pm25_sum - OLD.pm25,
        temperature_sum = temperature_sum - OLD.temperature,
        humidity_sum = humidity_sum - OLD.humidity,
        co2_sum = co2_sum - OLD.co2,
        official_count = official_count - (CASE WHEN OLD.quality_flags = '[]' AND OLD.pm25_corrected IS NOT NULL THEN 1 ELSE 0 END),
        official_sum = official_sum - (CASE WHEN OLD.quality_flags = '[]' AND OLD.pm25_corrected IS NOT NULL THEN OLD.pm25_corrected ELSE 0 END)
    WHERE sensor_id = OLD.sensor_id AND hour = strftime('%Y-%m-%d %H:00:00', OLD.timestamp);
    DELETE FROM measurement_hour_totals
    WHERE sensor_id = OLD.sensor_id AND hour = strftime('%Y-%m-%d %H:00:00', OLD.timestamp) AND readings = 0;
    UPDATE measurement_hour_totals AS t SET
        pm25_min = (SELECT MIN(pm25) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour')),
        pm25_max = (SELECT MAX(pm25) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour')),
        temperature_min = (SELECT MIN(temperature) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour')),
        temperature_max = (SELECT MAX(temperature) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour')),
        humidity_min = (SELECT MIN(humidity) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour')),
        humidity_max = (SELECT MAX(humidity) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour')),
        co2_min = (SELECT MIN(co2) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour')),
        official_min = (SELECT MIN(pm25_corrected) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour') AND m.quality_flags = '[]'),
        official_max = (SELECT MAX(pm25_corrected) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour') AND m.quality_flags = '[]'),
        co2_max = (SELECT MAX(co2) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour'))
    WHERE sensor_id = OLD.sensor_id AND hour = strftime('%Y-%m-%d %H:00:00', OLD.timestamp);
    INSERT INTO measurement_hour_totals
        (sensor_id, hour, readings, pm25_sum, pm25_min, pm25_max, temperature_sum, temperature_min, temperature_max, humidity_sum, humidity_min, humidity_max, co2_sum, co2_min, co2_max, official_count, official_sum, official_min, official_max)
    VALUES (NEW.sensor_id, strftime('%Y-%m-%d %H:00:00', NEW.timestamp), 1,
            NEW.pm25, NEW.pm25, NEW.pm25, NEW.temperature, NEW.temperature, NEW.temperature, NEW.humidity, NEW.humidity, NEW.humidity, NEW.co2, NEW.co2, NEW.co2,
            CASE WHEN NEW.quality_flags = '[]' AND NEW.pm25_corrected IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN NEW.quality_flags = '[]' AND NEW.pm25_corrected IS NOT NULL THEN NEW.pm25_corrected ELSE 0 END,
            CASE WHEN NEW.quality_flags = '[]' AND NEW.pm25_corrected IS NOT NULL THEN NEW.pm25_corrected END, CASE WHEN NEW.quality_flags = '[]' AND NEW.pm25_corrected IS NOT NULL THEN NEW.pm25_corrected END)
    ON CONFLICT (sensor_id, hour) DO UPDATE SET
        readings = readings + 1,
        pm25_sum = pm25_sum + excluded.pm25_sum,
        pm25_min = MIN(pm25_min, excluded.pm25_min),
        pm25_max = MAX(pm25_max, excluded.pm25_max),
        temperature_sum = temperature_sum + excluded.temperature_sum,
        temperature_min = MIN(temperature_min, excluded.temperature_min),
        temperature_max = MAX(temperature_max, excluded.temperature_max),
        humidity_sum = humidity_sum + excluded.humidity_sum,
        humidity_min = MIN(humidity_min, excluded.humidity_min),
        humidity_max = MAX(humidity_max, excluded.humidity_max),
        co2_sum = co2_sum + excluded.co2_sum,
        co2_min = MIN(co2_min, excluded.co2_min),
        co2_max = MAX(co2_max, excluded.co2_max),
        official_count = official_count + excluded.official_count,
        official_sum = official_sum + excluded.official_sum,
        official_min = CASE WHEN excluded.official_min IS NULL THEN official_min WHEN official_min IS NULL THEN excluded.official_min ELSE MIN(official_min, excluded.official_min) END,
        official_max = CASE WHEN excluded.official_max IS NULL THEN official_max WHEN official_max IS NULL THEN excluded.official_max ELSE MAX(official_max, excluded.official_max) END;
END;

-- The roll-up judges readings again (their correction and flags, beside the raw values): the
-- hour's official figures follow. A change of the raw columns is the trigger above's.
CREATE TRIGGER IF NOT EXISTS measurements_totals_judged
AFTER UPDATE OF quality_flags, pm25_corrected ON measurements
WHEN OLD.sensor_id IS NEW.sensor_id AND OLD.timestamp IS NEW.timestamp AND OLD.pm25 IS NEW.pm25
BEGIN
    UPDATE measurement_hour_totals SET
        official_count = official_count
            - (CASE WHEN OLD.quality_flags = '[]' AND OLD.pm25_corrected IS NOT NULL THEN 1 ELSE 0 END)
            + (CASE WHEN NEW.quality_flags = '[]' AND NEW.pm25_corrected IS NOT NULL THEN 1 ELSE 0 END),
        official_sum = official_sum
            - (CASE WHEN OLD.quality_flags = '[]' AND OLD.pm25_corrected IS NOT NULL THEN OLD.pm25_corrected ELSE 0 END)
            + (CASE WHEN NEW.quality_flags = '[]' AND NEW.pm25_corrected IS NOT NULL THEN NEW.pm25_corrected ELSE 0 END)
    WHERE sensor_id = NEW.sensor_id AND hour = strftime('%Y-%m-%d %H:00:00', NEW.timestamp);
    UPDATE measurement_hour_totals AS t SET
        official_min = (SELECT MIN(pm25_corrected) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour') AND m.quality_flags = '[]'),
        official_max = (SELECT MAX(pm25_corrected) FROM measurements m WHERE m.sensor_id = t.sensor_id AND m.timestamp >= t.hour AND m.timestamp < datetime(t.hour, '+1 hour') AND m.quality_flags = '[]')
    WHERE sensor_id = NEW.sensor_id AND hour = strftime('%Y-%m-%d %H:00:00', NEW.timestamp);
END;

-- One row per sensor and hour, written by the hourly roll-up. version is the roll-up's run time
-- (epoch ms): a re-run overwrites, an older run never does.
CREATE TABLE IF NOT EXISTS hourly_aggregates (
    sensor_id TEXT NOT NULL,
    hour TEXT NOT NULL,
    location_name TEXT NOT NULL,
    zone TEXT NOT NULL,
    city TEXT NOT NULL,
    readings INTEGER NOT NULL,
    expected_readings REAL NOT NULL,
    completeness REAL NOT NULL,
    pm25_count INTEGER NOT NULL,
    pm25_sum REAL NOT NULL,
    pm25_min REAL,
    pm25_max REAL,
    temperature_count INTEGER NOT NULL,
    temperature_sum REAL NOT NULL,
    temperature_min REAL,
    temperature_max REAL,
    humidity_count INTEGER NOT NULL,
    humidity_sum REAL NOT NULL,
    humidity_min REAL,
    humidity_max REAL,
    co2_count INTEGER NOT NULL,
    co2_sum REAL NOT NULL,
    co2_min REAL,
    co2_max REAL,
    extra_measures TEXT,
    version INTEGER NOT NULL,
    -- The hour's US EPA NowCast (ug/m3); NULL when fewer than 2 of its 3 latest hours had readings.
    nowcast_pm25 REAL,
    -- Readings the official figures used (corrected, unflagged) / expected_readings, and the
    -- readings counted by quality flag (JSON object, flag -> count).
    coverage REAL,
    flag_counts TEXT,
    PRIMARY KEY (sensor_id, hour)
);
CREATE INDEX IF NOT EXISTS idx_hourly_aggregates_hour ON hourly_aggregates(hour);
-- The zone roll-up finds the hours the hourly roll-up wrote again (late data) by version.
CREATE INDEX IF NOT EXISTS idx_hourly_aggregates_version ON hourly_aggregates(version);

-- One row per zone and hour, written by the zone roll-up, ranked and evaluated by lambdas/core:
-- `evaluation` is the seed's (query 4) of the hour's mean, `aqi` the US EPA AQI of the NowCast.
CREATE TABLE IF NOT EXISTS zone_aggregates (
    zone TEXT NOT NULL,
    hour TEXT NOT NULL,
    sensors INTEGER NOT NULL,
    active_sensors INTEGER NOT NULL,
    readings INTEGER NOT NULL,
    expected_readings REAL NOT NULL,
    completeness REAL NOT NULL,
    pm25_count INTEGER NOT NULL,
    pm25_sum REAL NOT NULL,
    pm25_min REAL,
    pm25_max REAL,
    temperature_count INTEGER NOT NULL,
    temperature_sum REAL NOT NULL,
    temperature_min REAL,
    temperature_max REAL,
    humidity_count INTEGER NOT NULL,
    humidity_sum REAL NOT NULL,
    humidity_min REAL,
    humidity_max REAL,
    co2_count INTEGER NOT NULL,
    co2_sum REAL NOT NULL,
    co2_min REAL,
    co2_max REAL,
    pm25_mean REAL,
    rank INTEGER,
    evaluation TEXT,
    aqi INTEGER,
    aqi_category TEXT,
    extra_measures TEXT,
    version INTEGER NOT NULL,
    nowcast_pm25 REAL,
    -- Readings the official figures used (corrected, unflagged) / expected_readings, and the
    -- readings counted by quality flag (JSON object, flag -> count).
    coverage REAL,
    flag_counts TEXT,
    PRIMARY KEY (zone, hour)
);
CREATE INDEX IF NOT EXISTS idx_zone_aggregates_hour ON zone_aggregates(hour);

-- Refused readings, kept whole for inspection and replay (`kaikai quarantine list|replay`).
CREATE TABLE IF NOT EXISTS quarantine (
    quarantine_id INTEGER PRIMARY KEY AUTOINCREMENT,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    topic TEXT NOT NULL,
    -- The sensor the topic names, when the topic has the telemetry shape.
    sensor_id TEXT,
    -- ISO 8601 UTC, as in the cloud quarantine.
    received_at TEXT NOT NULL,
    payload TEXT NOT NULL,
    payload_encoding TEXT NOT NULL CHECK (payload_encoding IN ('utf8', 'base64')),
    -- ISO 8601 UTC of the replay that got the reading stored; NULL while it is still refused.
    replayed_at TEXT,
    -- SHA-256 (hex) of the payload bytes the row keeps: a message delivered again (a sensor's
    -- resend after a lost acknowledgement) is the same topic and hash, and is kept once.
    payload_sha256 TEXT
);
CREATE INDEX IF NOT EXISTS idx_quarantine_reason ON quarantine(reason, replayed_at);
CREATE INDEX IF NOT EXISTS idx_quarantine_message ON quarantine(topic, payload_sha256);

-- Each sensor's open alerts (JSON of lambdas/core/alerts.ts SensorAlertStates) with an
-- optimistic-lock version, like the named device shadow in AWS.
CREATE TABLE IF NOT EXISTS alert_state (
    sensor_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    version INTEGER NOT NULL
);
