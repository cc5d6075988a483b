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
import { parseFlagCounts } from "../../lambdas/core/quality.js";
import { EMPTY_STATS, judgeSeries, type StoredSeriesReading } from "../../lambdas/core/rollup.js";
import {
  DEFAULT_REPORTING_INTERVAL_SECONDS,
  type SensorRegistry,
  ZONES,
  type Zone,
} from "../../lambdas/core/sensor.js";
import { HOUR_MS } from "../../lambdas/core/time.js";
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
    coverage: row.coverage,
    flag_counts: JSON.stringify(row.flags),
    ...statsToColumns(row.measures),
  };
}

/** A reading as the roll-up's query returns it: id, time, receive time, the raw values, then what is stored beside them. */
type StoredRow = [
  id: number,
  timestamp: string,
  receivedAt: number,
  pm25: number,
  pm25B: number | null,
  temperature: number,
  humidity: number,
  co2: number,
  qualityFlags: string | null,
  pm25Corrected: number | null,
  correction: string | null,
];

/** A stored reading as the roll-up judges it. */
function seriesReadingOf(row: StoredRow): StoredSeriesReading {
  const [, timestamp, receivedAt, pm25, pm25B, temperature, humidity, co2] = row;
  return {
    timestamp: fromSqliteTime(timestamp),
    receivedAt,
    pm25,
    ...(pm25B === null ? {} : { pm25B }),
    temperature,
    humidity,
    co2,
  };
}

export function makeSqliteRollupStore(db: Db, registry: SensorRegistry): SqliteRollupStore {
  // A reading's neighbours lie within four reporting intervals of the slowest sensor (at most an
  // hour): the two readings on each side that the stuck, spike and clock flags look at.
  const slowestIntervalSeconds = [...registry.values()].reduce(
    (slowest, sensor) => Math.max(slowest, sensor.reportingIntervalSeconds),
    DEFAULT_REPORTING_INTERVAL_SECONDS,
  );
  const neighbourhoodMs = Math.min(HOUR_MS, 4 * 1000 * slowestIntervalSeconds);

  const unjudgedSelect = db
    .prepare(
      "SELECT sensor_id, timestamp FROM measurements WHERE judged_at IS NULL AND timestamp >= ? AND timestamp < ?",
    )
    .raw(true);
  const sensorSelect = db
    .prepare(
      `SELECT measurement_id, timestamp, received_at, pm25, pm25_b, temperature, humidity, co2,
         quality_flags, pm25_corrected, correction_version
       FROM measurements WHERE sensor_id = ? AND timestamp >= ? AND timestamp < ? ORDER BY timestamp`,
    )
    .raw(true);
  const judgementUpdate = db.prepare(
    `UPDATE measurements SET quality_flags = ?, pm25_corrected = ?, correction_version = ?, judged_at = ?
     WHERE measurement_id = ?`,
  );
  const judgedMark = db.prepare(
    "UPDATE measurements SET judged_at = ? WHERE sensor_id = ? AND timestamp >= ? AND timestamp < ? AND judged_at IS NULL",
  );
  const writeJudgements = db.transaction(
    (
      changed: readonly (readonly [string, number | null, string, number, number])[],
      marks: readonly (readonly [number, string, string, string])[],
    ) => {
      for (const change of changed) judgementUpdate.run(...change);
      for (const mark of marks) judgedMark.run(...mark);
    },
  );

  /**
   * Judges the readings of the range that no run has judged with their neighbours (new ones,
   * late ones, rows inserted by hand): each one's correction recomputed from its raw values and
   * its flags from the readings around it (lambdas/core/quality.ts), with the readings near them
   * judged again, since new neighbours can change their flags. What changed is written back beside
   * the raw values, and the triggers carry it into the hour totals. Only those readings and their
   * neighbourhoods are read, so a run re-covering hours already judged reads none.
   */
  function judgeNew(range: HourRange, at: number): void {
    const pending = unjudgedSelect.all(toSqliteTime(range.from), toSqliteTime(range.to)) as [string, string][];
    const spans = new Map<string, { from: number; to: number }>();
    for (const [sensorId, timestamp] of pending) {
      const time = fromSqliteTime(timestamp);
      const span = spans.get(sensorId);
      if (span === undefined) spans.set(sensorId, { from: time, to: time });
      else spans.set(sensorId, { from: Math.min(span.from, time), to: Math.max(span.to, time) });
    }
    const changed: [string, number | null, string, number, number][] = [];
    const marks: [number, string, string, string][] = [];
    for (const [sensorId, span] of spans) {
      // Judged again: the new readings and their neighbourhoods; read: theirs in turn.
      const judged = { from: span.from - neighbourhoodMs, to: span.to + neighbourhoodMs + 1 };
      const rows = sensorSelect.all(
        sensorId,
        toSqliteTime(judged.from - neighbourhoodMs),
        toSqliteTime(judged.to + neighbourhoodMs),
      ) as StoredRow[];
      const series = rows.map(seriesReadingOf);
      for (const { position, reading, correction } of judgeSeries(sensorId, series, registry, judged)) {
        const row = rows[position];
        if (row === undefined) continue;
        const flags = JSON.stringify(reading.flags);
        if (row[8] !== flags || row[9] !== reading.pm25Corrected || row[10] !== correction) {
          changed.push([flags, reading.pm25Corrected, correction, at, row[0]]);
        }
      }
      marks.push([at, sensorId, toSqliteTime(judged.from), toSqliteTime(judged.to)]);
    }
    if (changed.length > 0 || marks.length > 0) writeJudgements(changed, marks);
  }

  // The triggers' running figures per sensor-hour, the official PM2.5's among them: a run reads a
  // row per sensor and hour, however many readings they hold. Every measure column is NOT NULL, so
  // each one's count is the readings'.
  const binSelect = db.prepare(
    `SELECT sensor_id, hour, readings,
       ${COLUMN_MEASURES.map((m) => `readings AS ${m}_count, ${m}_sum, ${m}_min, ${m}_max`).join(",\n       ")},
       official_count, official_sum, official_min, official_max
     FROM measurement_hour_totals WHERE hour >= ? AND hour < ?`,
  );
  // Flagged readings are few, and an index holds only them.
  const flagCountSelect = db
    .prepare(
      `SELECT m.sensor_id, strftime('%Y-%m-%d %H:00:00', m.timestamp) AS hour, f.value AS flag, COUNT(*) AS readings
       FROM measurements m, json_each(m.quality_flags) f
       WHERE m.quality_flags IS NOT NULL AND m.quality_flags != '[]' AND m.timestamp >= ? AND m.timestamp < ?
       GROUP BY 1, 2, 3`,
    )
    .raw(true);

  function bins(range: HourRange): SensorHourBin[] {
    judgeNew(range, Date.now());
    const from = toSqliteTime(range.from);
    const to = toSqliteTime(range.to);
    const flagsByBin = new Map<string, Record<string, number>>();
    for (const [sensorId, hour, flag, count] of flagCountSelect.all(from, to) as [string, string, string, number][]) {
      const key = `${sensorId}\u0000${hour}`;
      flagsByBin.set(key, { ...flagsByBin.get(key), [flag]: count });
    }
    return cellsOf(binSelect, from, to).map((cell) => {
      const sensorId = String(cell("sensor_id"));
      const hour = String(cell("hour"));
      const official: MeasureStats = {
        count: Number(cell("official_count")),
        sum: Number(cell("official_sum")),
        min: typeof cell("official_min") === "number" ? Number(cell("official_min")) : null,
        max: typeof cell("official_max") === "number" ? Number(cell("official_max")) : null,
      };
      return {
        sensorId,
        hourStart: fromSqliteTime(hour),
        readings: Number(cell("readings")),
        measures: { ...columnsToStats(cell), pm25_corrected: official },
        flags: parseFlagCounts(flagsByBin.get(`${sensorId}\u0000${hour}`) ?? {}),
      };
    });
  }

  const hourlyColumns = [
    "location_name",
    "zone",
    "city",
    "readings",
    "expected_readings",
    "completeness",
    "coverage",
    "flag_counts",
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
    "coverage",
    "flag_counts",
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
    bins: async (range: HourRange): Promise<SensorHourBin[]> => bins(range),
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
        coverage: Number(cell("coverage") ?? 0),
        measures: columnsToStats(cell),
        flags: parseFlagCounts(cell("flag_counts")),
        nowcastPm25: typeof cell("nowcast_pm25") === "number" ? (cell("nowcast_pm25") as number) : null,
      })),
    writeZones: async (rows, version) => writeZones(rows, version),
  };
}
