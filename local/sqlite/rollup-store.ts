import type { Statement } from "better-sqlite3";
import type {
  HourlyAggregate,
  HourRange,
  MeasureStats,
  MeasureStatsByMeasure,
  SensorHourBin,
  ZoneAggregate,
} from "../../lambdas/core/aggregates.js";
import { MEASURES, type Measure, mapMeasures } from "../../lambdas/core/measures.js";
import { EMPTY_STATS } from "../../lambdas/core/rollup.js";
import { ZONES, type Zone } from "../../lambdas/core/sensor.js";
import type {
  HourlyAggregateSource,
  HourlyAggregateWriter,
  HourlyBinSource,
  ZoneAggregateWriter,
} from "../../lambdas/ports.js";
import type { Db } from "./database.js";
import { fromSqliteTime, toSqliteTime } from "./time.js";

/** Measures with their own columns; a measure added later goes to the `extra_measures` JSON column. */
const COLUMN_MEASURES: readonly Measure[] = ["pm25", "temperature", "humidity", "co2"];
const EXTRA_MEASURES = MEASURES.filter((measure) => !COLUMN_MEASURES.includes(measure));

const statColumns = COLUMN_MEASURES.flatMap((m) => [`${m}_count`, `${m}_sum`, `${m}_min`, `${m}_max`]);

type Value = number | string | null;
type Row = Record<string, Value>;
/** One result row, read by column name. */
type Cells = (column: string) => Value | undefined;

/**
 * The rows of a statement in raw mode, each read by column name: better-sqlite3 builds a
 * 26-key object per row more than twice as slowly as an array, and a 24-hour backfill of a
 * thousand sensors reads 24,000 rows.
 */
function cellsOf(statement: Statement, ...parameters: unknown[]): Cells[] {
  const index = new Map(statement.columns().map((column, position) => [column.name, position]));
  return (statement.raw(true).all(...parameters) as Value[][]).map((values) => (column) => {
    const position = index.get(column);
    return position === undefined ? undefined : values[position];
  });
}

function statsToColumns(measures: MeasureStatsByMeasure): Row {
  const row: Row = {};
  for (const m of COLUMN_MEASURES) {
    row[`${m}_count`] = measures[m].count;
    row[`${m}_sum`] = measures[m].sum;
    row[`${m}_min`] = measures[m].min;
    row[`${m}_max`] = measures[m].max;
  }
  row.extra_measures =
    EXTRA_MEASURES.length === 0
      ? null
      : JSON.stringify(Object.fromEntries(EXTRA_MEASURES.map((m) => [m, measures[m]])));
  return row;
}

function columnsToStats(cell: Cells): MeasureStatsByMeasure {
  const extraText = cell("extra_measures");
  const extra = typeof extraText === "string" ? (JSON.parse(extraText) as Record<string, MeasureStats>) : {};
  const nullable = (value: Value | undefined): number | null => (typeof value === "number" ? value : null);
  return mapMeasures((m): MeasureStats => {
    if (!COLUMN_MEASURES.includes(m)) return extra[m] ?? EMPTY_STATS;
    return {
      count: Number(cell(`${m}_count`)),
      sum: Number(cell(`${m}_sum`)),
      min: nullable(cell(`${m}_min`)),
      max: nullable(cell(`${m}_max`)),
    };
  });
}

function upsertSql(table: string, keys: readonly string[], columns: readonly string[]): string {
  const all = [...keys, ...columns, "extra_measures", "version"];
  const updates = [...columns, "extra_measures", "version"].map((c) => `${c} = excluded.${c}`).join(", ");
  return `INSERT INTO ${table} (${all.join(", ")}) VALUES (${all.map((c) => `@${c}`).join(", ")})
    ON CONFLICT (${keys.join(", ")}) DO UPDATE SET ${updates} WHERE excluded.version >= ${table}.version`;
}

function zoneOf(value: unknown): Zone {
  const zone = ZONES.find((candidate) => candidate === value);
  if (zone === undefined) throw new Error(`hourly_aggregates holds an unknown zone: ${String(value)}`);
  return zone;
}

export interface SqliteRollupStore
  extends HourlyBinSource,
    HourlyAggregateWriter,
    HourlyAggregateSource,
    ZoneAggregateWriter {
  /** Hour starts of the readings received since the last hourly roll-up began: late data to roll up again. */
  hoursReceivedSinceLastRollup(): number[];
  /** Hour starts whose sensors' rows were written after the last zone roll-up began. */
  hoursRolledUpSinceLastZoneRollup(): number[];
}

/** The columns every roll-up row fills with its coverage and its measures. */
function coverageAndStats(row: HourlyAggregate | ZoneAggregate) {
  return {
    readings: row.readings,
    expected_readings: row.expectedReadings,
    completeness: row.completeness,
    ...statsToColumns(row.measures),
  };
}

export function makeSqliteRollupStore(db: Db): SqliteRollupStore {
  // The triggers' running figures per sensor-hour: a run reads a row per sensor and hour, however
  // many readings they hold. Every measure column is NOT NULL, so each one's count is the readings'.
  const binSelect = db.prepare(
    `SELECT sensor_id, hour, readings,
       ${COLUMN_MEASURES.map((m) => `readings AS ${m}_count, ${m}_sum, ${m}_min, ${m}_max`).join(",\n       ")}
     FROM measurement_hour_totals WHERE hour >= ? AND hour < ?`,
  );
  const hourlyColumns = [
    "location_name",
    "zone",
    "city",
    "readings",
    "expected_readings",
    "completeness",
    ...statColumns,
    "nowcast_pm25",
  ];
  const hourlyUpsert = db.prepare(upsertSql("hourly_aggregates", ["sensor_id", "hour"], hourlyColumns));
  const hourlySelect = db.prepare(
    "SELECT * FROM hourly_aggregates WHERE hour >= ? AND hour < ? ORDER BY hour, sensor_id",
  );
  const zoneColumns = [
    "sensors",
    "active_sensors",
    "readings",
    "expected_readings",
    "completeness",
    ...statColumns,
    "pm25_mean",
    "nowcast_pm25",
    "rank",
    "evaluation",
    "aqi",
    "aqi_category",
  ];
  const zoneUpsert = db.prepare(upsertSql("zone_aggregates", ["zone", "hour"], zoneColumns));

  const writeHourly = db.transaction((rows: readonly HourlyAggregate[], version: number) => {
    for (const row of rows) {
      hourlyUpsert.run({
        sensor_id: row.sensorId,
        hour: toSqliteTime(row.hourStart),
        location_name: row.locationName,
        zone: row.zone,
        city: row.city,
        ...coverageAndStats(row),
        nowcast_pm25: row.nowcastPm25,
        version,
      });
    }
  });
  const writeZones = db.transaction((rows: readonly ZoneAggregate[], version: number) => {
    for (const row of rows) {
      zoneUpsert.run({
        zone: row.zone,
        hour: toSqliteTime(row.hourStart),
        sensors: row.sensors,
        active_sensors: row.activeSensors,
        ...coverageAndStats(row),
        pm25_mean: row.means.pm25,
        nowcast_pm25: row.nowcastPm25,
        rank: row.rank,
        evaluation: row.evaluation,
        aqi: row.aqi,
        aqi_category: row.aqiCategory,
        version,
      });
    }
  });

  // A run's version is the time it began, so whatever arrived after that may be missing from it.
  const receivedSince = db
    .prepare(
      `SELECT DISTINCT strftime('%Y-%m-%d %H:00:00', timestamp) FROM measurements
       WHERE received_at >= (SELECT MAX(version) FROM hourly_aggregates)`,
    )
    .pluck();
  const hourlySince = db
    .prepare("SELECT DISTINCT hour FROM hourly_aggregates WHERE version > (SELECT MAX(version) FROM zone_aggregates)")
    .pluck();
  const hourStarts = (hours: unknown[]): number[] => hours.map((hour) => fromSqliteTime(String(hour)));

  return {
    hoursReceivedSinceLastRollup: () => hourStarts(receivedSince.all()),
    hoursRolledUpSinceLastZoneRollup: () => hourStarts(hourlySince.all()),
    bins: async (range: HourRange): Promise<SensorHourBin[]> =>
      cellsOf(binSelect, toSqliteTime(range.from), toSqliteTime(range.to)).map((cell) => ({
        sensorId: String(cell("sensor_id")),
        hourStart: fromSqliteTime(String(cell("hour"))),
        readings: Number(cell("readings")),
        measures: columnsToStats(cell),
      })),
    writeHourly: async (rows, version) => writeHourly(rows, version),
    hourly: async (range: HourRange): Promise<HourlyAggregate[]> =>
      cellsOf(hourlySelect, toSqliteTime(range.from), toSqliteTime(range.to)).map((cell) => ({
        sensorId: String(cell("sensor_id")),
        locationName: String(cell("location_name")),
        zone: zoneOf(cell("zone")),
        city: String(cell("city")),
        hourStart: fromSqliteTime(String(cell("hour"))),
        readings: Number(cell("readings")),
        expectedReadings: Number(cell("expected_readings")),
        completeness: Number(cell("completeness")),
        measures: columnsToStats(cell),
        nowcastPm25: typeof cell("nowcast_pm25") === "number" ? (cell("nowcast_pm25") as number) : null,
      })),
    writeZones: async (rows, version) => writeZones(rows, version),
  };
}
