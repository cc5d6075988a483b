import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import type { EnrichedReading } from "../../../lambdas/core/reading.js";
import { REGISTRY, SENSORS } from "../../../lib/config/sensors.js";
import { runSeedReport } from "../../../local/reports.js";
import type { Db } from "../../../local/sqlite/database.js";
import { makeSqliteReadingStore } from "../../../local/sqlite/reading-store.js";
import { freshDatabaseEachTest } from "../../fixtures/database.js";
import { withQuality } from "../../fixtures/telemetry.js";

const NOW = Date.parse("2026-11-28T12:00:00Z");

interface Measure {
  readonly sensorId: string;
  readonly at: string;
  readonly pm25: number;
  readonly temperature: number;
  readonly humidity: number;
  readonly co2: number;
}

function enrich(measure: Measure, receivedAt = NOW): EnrichedReading {
  const sensor = REGISTRY.get(measure.sensorId);
  if (sensor === undefined) throw new Error(`not in the registry: ${measure.sensorId}`);
  return withQuality({
    sensorId: measure.sensorId,
    timestamp: Date.parse(measure.at),
    pm25: measure.pm25,
    temperature: measure.temperature,
    humidity: measure.humidity,
    co2: measure.co2,
    locationName: sensor.locationName,
    zone: sensor.zone,
    city: sensor.city,
    receivedAt,
  });
}

/** The seed's five sensors with a handful of readings around the last-24-hours boundary. */
const KNOWN: readonly Measure[] = [
  { sensorId: "SENS001", at: "2026-11-27T10:00:00Z", pm25: 40, temperature: 28, humidity: 70, co2: 600 },
  { sensorId: "SENS001", at: "2026-11-28T10:00:00Z", pm25: 30, temperature: 30, humidity: 70, co2: 620 },
  { sensorId: "SENS001", at: "2026-11-28T10:30:00Z", pm25: 20, temperature: 32, humidity: 68, co2: 640 },
  { sensorId: "SENS002", at: "2026-11-28T11:15:00Z", pm25: 8, temperature: 26, humidity: 78, co2: 450 },
  { sensorId: "SENS003", at: "2026-11-27T11:59:59Z", pm25: 10, temperature: 24, humidity: 60, co2: 500 },
  { sensorId: "SENS003", at: "2026-11-27T12:30:00Z", pm25: 60, temperature: 26, humidity: 62, co2: 520 },
  { sensorId: "SENS004", at: "2026-11-28T09:00:00Z", pm25: 50, temperature: 31, humidity: 65, co2: 800 },
  { sensorId: "SENS004", at: "2026-11-28T09:10:00Z", pm25: 52.5, temperature: 33, humidity: 63, co2: 900 },
];

const database = freshDatabaseEachTest("kaikai-queries-");
let db: Db;
beforeEach(() => {
  db = database.current();
});

describe("the seed's four queries on a known data set", () => {
  beforeEach(async () => {
    await makeSqliteReadingStore(db).write(KNOWN.map((measure) => enrich(measure)));
  });

  it("dakar-sensors lists the Dakar sensors, newest installation first", () => {
    expect(runSeedReport(db, "dakar-sensors", NOW).rows).toEqual([
      {
        sensor_id: "SENS005",
        location_name: "Dakar - HLM Grand Yoff",
        location_type: "Residential",
        installation_date: "2024-03-15",
      },
      {
        sensor_id: "SENS004",
        location_name: "Dakar - Médina",
        location_type: "Commercial",
        installation_date: "2024-03-01",
      },
      {
        sensor_id: "SENS002",
        location_name: "Dakar - Almadies",
        location_type: "Residential",
        installation_date: "2024-02-01",
      },
      {
        sensor_id: "SENS001",
        location_name: "Dakar - Plateau",
        location_type: "Urban",
        installation_date: "2024-01-15",
      },
    ]);
  });

  it("sensor-activity counts readings, keeps the last time and the mean PM2.5, silent sensors included", () => {
    expect(runSeedReport(db, "sensor-activity", NOW).rows).toEqual([
      {
        sensor_id: "SENS001",
        location_name: "Dakar - Plateau",
        measurements: 3,
        last_measurement: "2026-11-28 10:30:00",
        pm25_mean: 30,
      },
      {
        sensor_id: "SENS003",
        location_name: "Saint-Louis - Centre Ville",
        measurements: 2,
        last_measurement: "2026-11-27 12:30:00",
        pm25_mean: 35,
      },
      {
        sensor_id: "SENS004",
        location_name: "Dakar - Médina",
        measurements: 2,
        last_measurement: "2026-11-28 09:10:00",
        pm25_mean: 51.25,
      },
      {
        sensor_id: "SENS002",
        location_name: "Dakar - Almadies",
        measurements: 1,
        last_measurement: "2026-11-28 11:15:00",
        pm25_mean: 8,
      },
      {
        sensor_id: "SENS005",
        location_name: "Dakar - HLM Grand Yoff",
        measurements: 0,
        last_measurement: null,
        pm25_mean: null,
      },
    ]);
  });

  it("hourly-pm25 keeps the last 24 hours only, per sensor and hour of day", () => {
    expect(runSeedReport(db, "hourly-pm25", NOW).rows).toEqual([
      { sensor_id: "SENS001", location_name: "Dakar - Plateau", hour: "10", pm25_mean: 25, measurements: 2 },
      { sensor_id: "SENS002", location_name: "Dakar - Almadies", hour: "11", pm25_mean: 8, measurements: 1 },
      { sensor_id: "SENS003", location_name: "Saint-Louis - Centre Ville", hour: "12", pm25_mean: 60, measurements: 1 },
      { sensor_id: "SENS004", location_name: "Dakar - Médina", hour: "09", pm25_mean: 51.25, measurements: 2 },
    ]);
  });

  it("zone-ranking weighs zones by readings, ranks cleanest first, with the seed's evaluation and no AQI", () => {
    expect(runSeedReport(db, "zone-ranking", NOW).rows).toEqual([
      {
        zone: "Residential",
        sensors: 1,
        measurements: 1,
        pm25_mean: 8,
        temperature_mean: 26,
        humidity_mean: 78,
        co2_mean: 450,
        rank: 1,
        seed_evaluation: "EXCELLENT",
      },
      {
        zone: "Urban",
        sensors: 2,
        measurements: 5,
        pm25_mean: 32,
        temperature_mean: 28,
        humidity_mean: 66,
        co2_mean: 576,
        rank: 2,
        seed_evaluation: "MODERATE",
      },
      {
        zone: "Commercial",
        sensors: 1,
        measurements: 2,
        pm25_mean: 51.25,
        temperature_mean: 32,
        humidity_mean: 64,
        co2_mean: 850,
        rank: 3,
        seed_evaluation: "POOR",
      },
    ]);
  });

  it("zone-ranking gives the seed's evaluation in the seed's French with --lang fr", () => {
    const report = runSeedReport(db, "zone-ranking", NOW, "fr");
    expect(report.rows.map((row) => row.seed_evaluation)).toEqual(["EXCELLENT", "MODÉRÉ", "MAUVAIS"]);
    expect(report.title).toContain("Qualité de l'air par type de zone");
  });

  it("zone-ranking names every zone of the sensors table: one without readings, one the registry does not know", () => {
    db.prepare(
      `INSERT INTO sensors (sensor_id, location_name, location_type, latitude, longitude, installation_date)
       VALUES ('SENS900', 'Thiès - Zone industrielle', 'Industrial', 14.79, -16.93, '2024-06-01')`,
    ).run();
    db.prepare("DELETE FROM measurements WHERE sensor_id = 'SENS002'").run();

    const rows = runSeedReport(db, "zone-ranking", NOW).rows;

    expect(rows.map((row) => [row.zone, row.sensors, row.measurements, row.pm25_mean, row.rank])).toEqual([
      ["Urban", 2, 5, 32, 1],
      ["Commercial", 1, 2, 51.25, 2],
      ["Industrial", 0, 0, null, null],
      ["Residential", 0, 0, null, null],
    ]);
  });

  it("counts a re-sent reading once, with the values it was first stored with", async () => {
    const store = makeSqliteReadingStore(db);
    const [first] = KNOWN;
    if (first === undefined) throw new Error("no data");
    await store.write([enrich(first, NOW + 1)]);
    await store.write([enrich({ ...first, pm25: 999 }, NOW + 2)]);
    const activity = runSeedReport(db, "sensor-activity", NOW).rows.find((row) => row.sensor_id === "SENS001");
    expect(activity).toMatchObject({ measurements: 3, pm25_mean: 30 });
  });
});

/** The seed's queries as written (only "now" made a parameter), to check the fast ones against. */
const SEED_SQL = {
  activity: `SELECT s.sensor_id, COUNT(m.measurement_id) AS n, MAX(m.timestamp) AS last, ROUND(AVG(m.pm25), 2) AS pm25
    FROM sensors s LEFT JOIN measurements m ON s.sensor_id = m.sensor_id
    GROUP BY s.sensor_id, s.location_name ORDER BY COUNT(m.measurement_id) DESC, s.sensor_id`,
  hourly: `SELECT s.sensor_id, strftime('%H', m.timestamp) AS hour, ROUND(AVG(m.pm25), 2) AS pm25, COUNT(m.measurement_id) AS n
    FROM sensors s JOIN measurements m ON s.sensor_id = m.sensor_id
    WHERE m.timestamp >= datetime(@now, '-24 hours')
    GROUP BY s.sensor_id, s.location_name, strftime('%H', m.timestamp)
    ORDER BY s.sensor_id, strftime('%H', m.timestamp)`,
  zones: `SELECT s.location_type AS zone, COUNT(DISTINCT s.sensor_id) AS sensors, COUNT(m.measurement_id) AS n,
      ROUND(AVG(m.pm25), 2) AS pm25, ROUND(AVG(m.temperature), 1) AS temperature, ROUND(AVG(m.humidity), 1) AS humidity,
      ROUND(AVG(m.co2), 0) AS co2
    FROM sensors s JOIN measurements m ON s.sensor_id = m.sensor_id
    GROUP BY s.location_type ORDER BY zone`,
};

describe("the fast queries give the seed's answers", () => {
  // Quarter units are exact in binary, so sums do not depend on the order they are added in.
  const quarter = (max: number) => fc.integer({ min: 0, max: max * 4 }).map((n) => n / 4);
  const operation = fc.record({
    sensorId: fc.constantFrom(...SENSORS.map((sensor) => sensor.sensorId)),
    // Two days around NOW, on whole seconds or with milliseconds.
    offsetMs: fc.oneof(
      fc.integer({ min: -48 * 3600, max: 3600 }).map((s) => s * 1000),
      fc.integer({ min: -48 * 3_600_000, max: 3_600_000 }),
    ),
    pm25: quarter(500),
    temperature: quarter(45),
    humidity: quarter(100),
    co2: fc.integer({ min: 250, max: 5000 }),
    receivedAt: fc.integer({ min: 0, max: 1000 }),
    remove: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    change: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  });

  const MEASURE_COLUMNS = ["pm25", "temperature", "humidity", "co2"];
  const HOUR_FIGURES = `SELECT sensor_id, hour, readings, ${MEASURE_COLUMNS.map((m) => `${m}_sum, ${m}_min, ${m}_max`).join(", ")}
    FROM measurement_hour_totals ORDER BY sensor_id, hour`;
  const HOUR_FIGURES_FROM_READINGS = `SELECT sensor_id, strftime('%Y-%m-%d %H:00:00', timestamp) AS hour, COUNT(*) AS readings,
      ${MEASURE_COLUMNS.map((m) => `SUM(${m}) AS ${m}_sum, MIN(${m}) AS ${m}_min, MAX(${m}) AS ${m}_max`).join(", ")}
    FROM measurements GROUP BY 1, 2 ORDER BY 1, 2`;

  it("after any mix of new readings, replays, changes and deletions", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 60 }), async (operations) => {
        // Durability is not what this checks; an fsync per write would make it slow.
        db.pragma("synchronous = OFF");
        db.exec("DELETE FROM measurements");
        const store = makeSqliteReadingStore(db);
        const remove = db.prepare("DELETE FROM measurements WHERE sensor_id = ? AND timestamp = ?");
        // By hand: the pipeline never changes a stored reading.
        const change = db.prepare(
          "UPDATE measurements SET pm25 = pm25 / 2, co2 = co2 + 1 WHERE sensor_id = ? AND timestamp = ?",
        );
        const newest = db.prepare(
          "SELECT timestamp FROM measurements WHERE sensor_id = ? ORDER BY measurement_id DESC",
        );
        for (const op of operations) {
          const reading = enrich({ ...op, at: new Date(NOW + op.offsetMs).toISOString() }, NOW + op.receivedAt);
          await store.write([reading]);
          const stored = newest.get(op.sensorId) as { timestamp: string };
          if (op.change) change.run(op.sensorId, stored.timestamp);
          if (op.remove) remove.run(op.sensorId, stored.timestamp);
        }
        // What the hourly roll-up reads: each sensor-hour's count, sums, minimums and maximums.
        expect(db.prepare(HOUR_FIGURES).all()).toEqual(db.prepare(HOUR_FIGURES_FROM_READINGS).all());
        const nowText = "2026-11-28 12:00:00";
        const activity = runSeedReport(db, "sensor-activity", NOW).rows.map((row) => ({
          sensor_id: row.sensor_id,
          n: row.measurements,
          last: row.last_measurement,
          pm25: row.pm25_mean,
        }));
        expect(activity).toEqual(db.prepare(SEED_SQL.activity).all());

        const hourly = runSeedReport(db, "hourly-pm25", NOW).rows.map((row) => ({
          sensor_id: row.sensor_id,
          hour: row.hour,
          pm25: row.pm25_mean,
          n: row.measurements,
        }));
        expect(hourly).toEqual(db.prepare(SEED_SQL.hourly).all({ now: nowText }));

        const zones = runSeedReport(db, "zone-ranking", NOW)
          .rows.map((row) => ({
            zone: row.zone,
            sensors: row.sensors,
            n: row.measurements,
            pm25: row.pm25_mean,
            temperature: row.temperature_mean,
            humidity: row.humidity_mean,
            co2: row.co2_mean,
          }))
          .sort((a, b) => String(a.zone).localeCompare(String(b.zone)));
        // The seed's join leaves out a zone without readings; the report names it, with no figures.
        expect(zones.filter((zone) => Number(zone.n) > 0)).toEqual(db.prepare(SEED_SQL.zones).all());
        const registered = db.prepare("SELECT DISTINCT location_type AS zone FROM sensors ORDER BY 1").all();
        expect(zones.map((zone) => ({ zone: zone.zone }))).toEqual(registered);
        for (const silent of zones.filter((zone) => zone.n === 0)) {
          expect(silent).toMatchObject({ sensors: 0, pm25: null, temperature: null });
        }
      }),
      { numRuns: 40 },
    );
  });
});
