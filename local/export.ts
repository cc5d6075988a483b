/**
 * `kaikai export`: the local store's readings streamed to a writable in one of three formats,
 * through a cursor over the table, so that memory stays flat however many readings there are.
 * - csv: the contract's fields in its order, then what the pipeline stores beside them.
 * - openaq: the OpenAQ API v3 measurements response (`GET /v3/sensors/{id}/measurements`):
 *   `meta` and `results`, each result with `value`, `flagInfo`, `parameter`, `period`,
 *   `coordinates`, `summary` and `coverage`, PM2.5 as reported (OpenAQ keeps original values).
 * - aqcsv: the AirNow-International AQCSV format (AQS "AQCSV Format"), one record per value:
 *   PM2.5 raw (AQS parameter 88501) and corrected (88502), flagged values qualified.
 */
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { stringify } from "csv-stringify";
import { parseFlags, type QualityFlag } from "../lambdas/core/quality.js";
import { DEFAULT_REPORTING_INTERVAL_SECONDS } from "../lambdas/core/sensor.js";
import type { Db } from "./sqlite/database.js";
import { fromSqliteTime, toSqliteTime } from "./sqlite/time.js";

export const EXPORT_FORMATS = ["csv", "openaq", "aqcsv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, exclusive. */
  readonly to: number;
  readonly sensorId?: string;
  /** Told of every thousand readings written, and of the total at the end, for a progress line. */
  readonly onProgress?: (readings: number) => void;
}

/** A stored reading with what the exports need of its sensor. */
interface ExportedReading {
  readonly sensor_id: string;
  readonly timestamp: string;
  readonly pm25: number;
  readonly temperature: number;
  readonly humidity: number;
  readonly co2: number;
  readonly battery: number | null;
  readonly rssi: number | null;
  readonly firmware: string | null;
  readonly pm25_b: number | null;
  readonly pm25_corrected: number | null;
  readonly correction_version: string | null;
  readonly quality_flags: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly reporting_interval_seconds: number | null;
}

const SELECT = `SELECT m.sensor_id, m.timestamp, m.pm25, m.temperature, m.humidity, m.co2, m.battery, m.rssi,
    m.firmware, m.pm25_b, m.pm25_corrected, m.correction_version, m.quality_flags,
    s.latitude, s.longitude, r.reporting_interval_seconds
  FROM measurements m
  LEFT JOIN sensors s ON s.sensor_id = m.sensor_id
  LEFT JOIN sensor_registry r ON r.sensor_id = m.sensor_id
  WHERE m.timestamp >= ? AND m.timestamp < ? AND (? IS NULL OR m.sensor_id = ?)
  ORDER BY m.sensor_id, m.timestamp`;

function* readings(db: Db, options: ExportOptions): Generator<ExportedReading> {
  const sensor = options.sensorId ?? null;
  let count = 0;
  for (const row of db.prepare(SELECT).iterate(toSqliteTime(options.from), toSqliteTime(options.to), sensor, sensor)) {
    count++;
    if (count % 1000 === 0) options.onProgress?.(count);
    yield row as ExportedReading;
  }
  options.onProgress?.(count);
}

const isoOf = (reading: ExportedReading): string => new Date(fromSqliteTime(reading.timestamp)).toISOString();
const flagsOf = (reading: ExportedReading): QualityFlag[] => parseFlags(reading.quality_flags);
const intervalSecondsOf = (reading: ExportedReading): number =>
  reading.reporting_interval_seconds ?? DEFAULT_REPORTING_INTERVAL_SECONDS;

/** The CSV's columns: the contract's fields, in its order, then what the pipeline stores beside them. */
export const CSV_COLUMNS = [
  "sensor_id",
  "timestamp",
  "pm25",
  "temperature",
  "humidity",
  "co2",
  "battery",
  "rssi",
  "firmware",
  "pm25_b",
  "pm25_corrected",
  "correction",
  "flags",
] as const;

function* csvRecords(source: Iterable<ExportedReading>): Generator<(string | number | null)[]> {
  for (const reading of source) {
    yield [
      reading.sensor_id,
      isoOf(reading),
      reading.pm25,
      reading.temperature,
      reading.humidity,
      reading.co2,
      reading.battery,
      reading.rssi,
      reading.firmware,
      reading.pm25_b,
      reading.pm25_corrected,
      reading.correction_version,
      reading.quality_flags === null ? null : flagsOf(reading).join("|"),
    ];
  }
}

/** HH:MM:SS, as OpenAQ writes intervals. */
function clockInterval(seconds: number): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
}

/** OpenAQ's datetime pair; the local time is the stage's (Africa/Dakar is UTC all year). */
const openaqDatetime = (epochMs: number) => {
  const utc = new Date(epochMs).toISOString().replace(".000Z", "Z");
  return { utc, local: utc.replace("Z", "+00:00") };
};

/** OpenAQ's parameter 2 is PM2.5 in ug/m3. */
const OPENAQ_PM25 = { id: 2, name: "pm25", units: "µg/m³", displayName: "PM2.5" } as const;

/** One OpenAQ measurement: the reading's PM2.5 over the interval that ends at its time. */
function openaqMeasurement(reading: ExportedReading) {
  const interval = intervalSecondsOf(reading);
  const to = fromSqliteTime(reading.timestamp);
  const from = to - interval * 1000;
  return {
    value: reading.pm25,
    flagInfo: { hasFlags: flagsOf(reading).length > 0 },
    parameter: OPENAQ_PM25,
    period: {
      label: "raw",
      interval: clockInterval(interval),
      datetimeFrom: openaqDatetime(from),
      datetimeTo: openaqDatetime(to),
    },
    coordinates:
      reading.latitude === null || reading.longitude === null
        ? null
        : { latitude: reading.latitude, longitude: reading.longitude },
    summary: null,
    coverage: {
      expectedCount: 1,
      expectedInterval: clockInterval(interval),
      observedCount: 1,
      observedInterval: clockInterval(interval),
      percentComplete: 100,
      percentCoverage: 100,
      datetimeFrom: openaqDatetime(from),
      datetimeTo: openaqDatetime(to),
    },
  };
}

function* openaqChunks(source: Iterable<ExportedReading>, found: number): Generator<string> {
  const meta = { name: "openaq-api", website: "/", page: 1, limit: found, found };
  yield `{"meta":${JSON.stringify(meta)},"results":[`;
  let first = true;
  for (const reading of source) {
    yield `${first ? "\n" : ",\n"}${JSON.stringify(openaqMeasurement(reading))}`;
    first = false;
  }
  yield "\n]}\n";
}

/** AQCSV's twenty fields, in the order of the format. */
export const AQCSV_COLUMNS = [
  "site",
  "data_status",
  "action_code",
  "datetime",
  "parameter",
  "duration",
  "frequency",
  "value",
  "unit",
  "qc",
  "poc",
  "lat",
  "lon",
  "GISDatum",
  "elev",
  "method_code",
  "mpc",
  "mpc_value",
  "uncertainty",
  "qualifiers",
] as const;

/** AQS codes: PM2.5 raw data, acceptable PM2.5 AQI mass (a corrected sensor's); ug/m3 at local conditions. */
const AQS_PM25_RAW = "88501";
const AQS_PM25_CORRECTED = "88502";
const AQS_UG_M3_LC = "105";
/** AQCSV quality-control codes. */
const QC = { valid: 0, adjusted: 1, suspect: 5 } as const;
/** Senegal's ISO 3166 numeric code, the first three characters of an AQCSV site. */
const SENEGAL_ISO_NUMERIC = "686";

/**
 * AQS qualifier codes (Quality Assurance type) for the flags: an outlier for a spike, a field issue
 * for fog, an operational deviation for the sensor's own faults.
 */
const AQS_QUALIFIER: Readonly<Record<QualityFlag, string>> = {
  spike: "5",
  fog: "3",
  stuck: "2",
  clock_backwards: "2",
  channel_disagreement: "2",
  co2_below_background: "2",
  no_humidity: "2",
};

/**
 * The AQCSV site: the country code and a nine-digit location code. AirNow-International assigns
 * real ones; until a sensor has one, a stable number is made from its id (FNV-1a, 32 bits, modulo
 * 10^9), the same in every export.
 */
export function aqcsvSite(sensorId: string): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(sensorId, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${SENEGAL_ISO_NUMERIC}${String(hash % 1_000_000_000).padStart(9, "0")}`;
}

/** YYYYMMDDThhmm+0000: ISO 8601 basic, in UTC, the start of the sampling period. */
function aqcsvDatetime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}+0000`;
}

function* aqcsvRecords(source: Iterable<ExportedReading>): Generator<(string | number | null)[]> {
  for (const reading of source) {
    const flags = flagsOf(reading);
    const suspect = flags.length > 0;
    const qualifiers = [...new Set(flags.map((flag) => AQS_QUALIFIER[flag]))].join(" ");
    const record = (parameter: string, value: number, qc: number) => [
      aqcsvSite(reading.sensor_id),
      0,
      null,
      aqcsvDatetime(fromSqliteTime(reading.timestamp)),
      parameter,
      Math.max(1, Math.round(intervalSecondsOf(reading) / 60)),
      null,
      value,
      AQS_UG_M3_LC,
      suspect ? QC.suspect : qc,
      1,
      reading.latitude === null ? null : reading.latitude.toFixed(6),
      reading.longitude === null ? null : reading.longitude.toFixed(6),
      "WGS84",
      null,
      null,
      null,
      null,
      null,
      qualifiers === "" ? null : qualifiers,
    ];
    yield record(AQS_PM25_RAW, reading.pm25, QC.valid);
    const corrected = reading.pm25_corrected;
    const adjusted = reading.correction_version !== null && !reading.correction_version.startsWith("none@");
    if (corrected !== null) yield record(AQS_PM25_CORRECTED, corrected, adjusted ? QC.adjusted : QC.valid);
  }
}

/** Streams the readings of the period (and sensor) to `out` in `format`, waiting on it when it is slower. */
export async function exportReadings(db: Db, out: Writable, format: ExportFormat, options: ExportOptions) {
  const source = readings(db, options);
  const sink = { end: false };
  if (format === "csv") {
    await pipeline(csvRecords(source), stringify({ header: true, columns: [...CSV_COLUMNS] }), out, sink);
  } else if (format === "aqcsv") {
    await pipeline(aqcsvRecords(source), stringify({ header: true, columns: [...AQCSV_COLUMNS] }), out, sink);
  } else {
    const sensor = options.sensorId ?? null;
    const found = db
      .prepare(
        "SELECT COUNT(*) FROM measurements WHERE timestamp >= ? AND timestamp < ? AND (? IS NULL OR sensor_id = ?)",
      )
      .pluck()
      .get(toSqliteTime(options.from), toSqliteTime(options.to), sensor, sensor) as number;
    await pipeline(openaqChunks(source, found), out, sink);
  }
}
