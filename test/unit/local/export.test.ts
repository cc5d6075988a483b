/**
 * `kaikai export` in its three formats, checked against their specifications: the columns and
 * their order (the contract's, AQCSV's twenty fields), OpenAQ v3's measurement keys, the codes
 * for flagged values; and a large export held back by a slow reader without reading ahead.
 */
import { Writable } from "node:stream";
import { parse } from "csv-parse/sync";
import { beforeEach, describe, expect, it } from "vitest";
import { HOUR_MS } from "../../../lambdas/core/time.js";
import { AQCSV_COLUMNS, aqcsvSite, exportReadings } from "../../../local/export.js";
import type { Db } from "../../../local/sqlite/database.js";
import { makeSqliteReadingStore } from "../../../local/sqlite/reading-store.js";
import { freshDatabaseEachTest } from "../../fixtures/database.js";
import { storedReading } from "../../fixtures/telemetry.js";

const database = freshDatabaseEachTest("kaikai-export-");
let db: Db;
beforeEach(() => {
  db = database.current();
});

const T0 = Date.parse("2026-11-28T06:00:00Z");
const PERIOD = { from: T0, to: T0 + HOUR_MS };

async function store(pm25: number, humidity: number, minute: number): Promise<void> {
  const timestamp = T0 + minute * 60_000;
  await makeSqliteReadingStore(db).write([
    storedReading("SENS001", timestamp, { pm25, humidity, temperature: 27, co2: 610 }, timestamp + 500),
  ]);
}

function collector(): { out: Writable; text: () => string } {
  let text = "";
  const out = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { out, text: () => text };
}

describe("export --format openaq", () => {
  it("writes OpenAQ v3's measurements response: meta, and results with its keys", async () => {
    await store(20, 60, 0);
    await store(30, 97, 1);
    const { out, text } = collector();
    await exportReadings(db, out, "openaq", PERIOD);
    const response = JSON.parse(text()) as { meta: { found: number }; results: Record<string, unknown>[] };
    expect(response.meta).toMatchObject({ name: "openaq-api", found: 2 });
    expect(response.results).toHaveLength(2);
    const [clean, foggy] = response.results;
    expect(Object.keys(clean ?? {})).toEqual([
      "value",
      "flagInfo",
      "parameter",
      "period",
      "coordinates",
      "summary",
      "coverage",
    ]);
    expect(clean).toMatchObject({
      value: 20,
      flagInfo: { hasFlags: false },
      parameter: { id: 2, name: "pm25", units: "µg/m³" },
      period: {
        label: "raw",
        interval: "00:01:00",
        datetimeFrom: { utc: "2026-11-28T05:59:00Z", local: "2026-11-28T05:59:00+00:00" },
        datetimeTo: { utc: "2026-11-28T06:00:00Z", local: "2026-11-28T06:00:00+00:00" },
      },
      coordinates: { latitude: 14.6937, longitude: -17.4441 },
      coverage: { expectedCount: 1, observedCount: 1, percentComplete: 100 },
    });
    expect(foggy).toMatchObject({ value: 30, flagInfo: { hasFlags: true } });
  });
});

describe("export --format aqcsv", () => {
  it("writes AQCSV's twenty fields, a raw and a corrected PM2.5 record per reading, flagged ones suspect", async () => {
    await store(20, 60, 0);
    await store(30, 97, 1);
    const { out, text } = collector();
    await exportReadings(db, out, "aqcsv", PERIOD);
    const [header, ...rows] = parse(text()) as string[][];
    expect(header).toEqual([...AQCSV_COLUMNS]);
    const records = rows.map((row) => Object.fromEntries(AQCSV_COLUMNS.map((column, index) => [column, row[index]])));
    expect(records).toHaveLength(4);
    expect(records[0]).toMatchObject({
      site: aqcsvSite("SENS001"),
      data_status: "0",
      datetime: "20261128T0600+0000",
      parameter: "88501",
      duration: "1",
      value: "20",
      unit: "105",
      qc: "0",
      poc: "1",
      lat: "14.693700",
      lon: "-17.444100",
      GISDatum: "WGS84",
      qualifiers: "",
    });
    // The EPA correction of a PMS5003: 0.524 x 20 - 0.0862 x 60 + 5.75, adjusted.
    expect(records[1]).toMatchObject({ parameter: "88502", value: "11.06", qc: "1" });
    // Fog: both values suspect, with the AQS qualifier for a field issue.
    expect(records[2]).toMatchObject({ parameter: "88501", qc: "5", qualifiers: "3" });
    expect(records[3]).toMatchObject({ parameter: "88502", qc: "5", qualifiers: "3" });
    expect(aqcsvSite("SENS001")).toMatch(/^686\d{9}$/);
    expect(aqcsvSite("SENS001")).not.toBe(aqcsvSite("SENS002"));
  });
});

describe("a large export", () => {
  it("reads the database only as fast as its reader takes the output", async () => {
    const readings = 100_000;
    db.prepare(
      `INSERT INTO measurements (sensor_id, timestamp, pm25, temperature, humidity, co2, received_at,
         quality_flags, pm25_corrected, correction_version)
       WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
       SELECT 'SENS001', strftime('%Y-%m-%d %H:%M:%S', ? / 1000 + i, 'unixepoch'), 10 + i % 7, 27, 60, 600, ?,
         '[]', 5, 'epa_barkjohn_2022@1'
       FROM n`,
    ).run(readings, T0, T0);
    let read = 0;
    let release: (() => void) | undefined;
    const stalled = new Writable({
      highWaterMark: 16 * 1024,
      write(_chunk, _encoding, done) {
        if (release === undefined) release = done;
        else done();
      },
    });
    const exported = exportReadings(db, stalled, "csv", {
      from: T0,
      to: T0 + readings * 1000,
      onProgress: (count) => {
        read = count;
      },
    });
    // Let the pipeline fill every buffer it has while the reader takes nothing.
    for (let turn = 0; turn < 200; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(read).toBeLessThan(readings / 10);
    release?.();
    await exported;
    expect(read).toBe(readings);
  });
});
