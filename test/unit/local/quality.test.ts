/**
 * Data quality end to end in the local store: readings stored as ingest stores them, the
 * roll-ups judging their hours, `report quality` and `export --format csv` reading the result.
 */
import { Writable } from "node:stream";
import { parse } from "csv-parse/sync";
import { beforeEach, describe, expect, it } from "vitest";
import type { InboundMessage } from "../../../lambdas/core/reading.js";
import { DAY_MS, HOUR_MS, hourStartOf } from "../../../lambdas/core/time.js";
import { telemetryTopic } from "../../../lambdas/core/topics.js";
import { validateMessage } from "../../../lambdas/core/validate.js";
import { REGISTRY } from "../../../lib/config/sensors.js";
import { CSV_COLUMNS, exportReadings } from "../../../local/export.js";
import { nowcastReport } from "../../../local/figures.js";
import { qualityReport } from "../../../local/quality.js";
import { NO_FAULTS, type SensorFaultRates } from "../../../local/simulator/faults.js";
import { simulateReading } from "../../../local/simulator/model.js";
import type { Db } from "../../../local/sqlite/database.js";
import { makeSqliteReadingStore } from "../../../local/sqlite/reading-store.js";
import { makeSqliteRollupStore } from "../../../local/sqlite/rollup-store.js";
import { freshDatabaseEachTest, localRollupsOf } from "../../fixtures/database.js";
import { storedReading } from "../../fixtures/telemetry.js";

const database = freshDatabaseEachTest("kaikai-quality-");
let db: Db;
beforeEach(() => {
  db = database.current();
});

const MINUTE = 60_000;

/** A sensor's readings a minute apart over one hour, as ingest stores them. */
async function hourOf(sensorId: string, hour: number, reading: (minute: number) => { pm25: number; humidity: number }) {
  await makeSqliteReadingStore(db).write(
    Array.from({ length: 60 }, (_, minute) => storedReading(sensorId, hour + minute * MINUTE, reading(minute))),
  );
}

const rollUp = (): Promise<void> => localRollupsOf(db).runLastDay();

/** Clean air: 10 to 12 ug/m3, never three equal values running, at 60 % RH. */
const clean = (minute: number) => ({ pm25: 10 + (minute % 3), humidity: 60 });

describe("quality flags in the local pipeline", () => {
  const lastHour = hourStartOf(Date.now()) - HOUR_MS;

  beforeEach(async () => {
    for (const sensorId of ["SENS001", "SENS002", "SENS003"]) {
      await hourOf(sensorId, lastHour - 2 * HOUR_MS, clean);
      await hourOf(sensorId, lastHour - HOUR_MS, clean);
    }
    // The last hour: SENS001 stuck at 300, SENS002 in a foggy morning reading 200, SENS003 clean.
    await hourOf("SENS001", lastHour, () => ({ pm25: 300, humidity: 60 }));
    await hourOf("SENS002", lastHour, (minute) => ({ pm25: 200 + (minute % 3), humidity: 97 }));
    await hourOf("SENS003", lastHour, clean);
    await rollUp();
  });

  it("counts a stuck sensor and a foggy morning in report quality, with the correction and the coverage", () => {
    const report = qualityReport(db, { from: lastHour, to: lastHour + HOUR_MS });
    const byId = new Map(report.rows.map((row) => [row.sensor_id, row]));
    expect(byId.get("SENS001")).toMatchObject({ readings: 60, stuck: 60, fog: 0, official: 0, coverage: 0 });
    expect(byId.get("SENS002")).toMatchObject({ readings: 60, fog: 60, stuck: 0, official: 0 });
    expect(byId.get("SENS003")).toMatchObject({
      readings: 60,
      stuck: 0,
      fog: 0,
      official: 60,
      expected: 60,
      coverage: 1,
      correction: "epa_barkjohn_2022@1",
      not_judged: 0,
    });
    // Raw PMS5003 readings over-read clean humid air: the correction takes about 5 ug/m3 off.
    expect(byId.get("SENS003")?.mean_raw_minus_corrected).toBeGreaterThan(4);
    // Every registry sensor has its row, the silent ones too.
    expect(report.rows.map((row) => row.sensor_id)).toEqual([...REGISTRY.keys()].sort());
  });

  it("leaves the flagged hour out of the NowCast, which the two clean hours before still carry", () => {
    const rows = new Map(nowcastReport(db, { hour: lastHour, lang: "en" }).rows.map((row) => [row.id, row]));
    const clean3 = rows.get("SENS003")?.nowcast_pm25 as number;
    expect(clean3).toBeLessThan(10);
    // With the stuck 300 or the fog's 200 in them, these NowCasts would be above 100.
    expect(rows.get("SENS001")?.nowcast_pm25).toBeCloseTo(clean3, 0);
    expect(rows.get("SENS002")?.nowcast_pm25).toBeCloseTo(clean3, 0);
    const hourly = db
      .prepare("SELECT sensor_id, nowcast_pm25, coverage, flag_counts FROM hourly_aggregates WHERE hour = ?")
      .all(new Date(lastHour).toISOString().replace("T", " ").slice(0, 19)) as {
      sensor_id: string;
      nowcast_pm25: number | null;
      coverage: number;
      flag_counts: string;
    }[];
    const row = hourly.find((one) => one.sensor_id === "SENS001");
    expect(row?.nowcast_pm25).toBeLessThan(10);
    expect(row).toMatchObject({ coverage: 0, flag_counts: JSON.stringify({ stuck: 60 }) });
  });

  it("exports every reading as CSV with the contract's columns, raw beside corrected, and the flags", async () => {
    let text = "";
    const out = new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    });
    await exportReadings(db, out, "csv", { from: lastHour, to: lastHour + HOUR_MS, sensorId: "SENS001" });
    const [header, ...rows] = parse(text) as string[][];
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(60);
    const first = Object.fromEntries((header ?? []).map((column, index) => [column, rows[0]?.[index]]));
    expect(first).toMatchObject({
      sensor_id: "SENS001",
      timestamp: new Date(lastHour).toISOString(),
      pm25: "300",
      correction: "epa_barkjohn_2022@1",
      flags: "stuck",
    });
    // 0.524 x 300 - 0.0862 x 60 + 5.75
    expect(Number(first.pm25_corrected)).toBeCloseTo(157.78, 2);
  });
});

describe("the simulator's faults in the local pipeline", () => {
  it("a simulated stuck sensor and a foggy morning show in report quality and are left out of the NowCast", async () => {
    const morning = hourStartOf(Date.now()) - (hourStartOf(Date.now()) % DAY_MS) - DAY_MS + 5 * HOUR_MS;
    const faultsOf: Record<string, Partial<SensorFaultRates>> = { SENS003: { fog: 1 }, SENS004: { stuck: 1 } };
    const messages: InboundMessage[] = [];
    for (const sensorId of ["SENS001", "SENS003", "SENS004"]) {
      const sensor = REGISTRY.get(sensorId);
      if (sensor === undefined) throw new Error(`${sensorId} is not in the registry`);
      const sensorFaults = { ...NO_FAULTS, ...faultsOf[sensorId] };
      for (let minute = 0; minute < 180; minute++) {
        const time = morning + minute * MINUTE;
        const reading = simulateReading(sensor, time, { seed: 1, dustEpisodes: [], sensorFaults });
        messages.push({
          payload: Buffer.from(JSON.stringify(reading)),
          topic: telemetryTopic(sensorId),
          receivedAt: time + 1000,
        });
      }
    }
    // Validated and enriched as ingest does it, then stored.
    const context = { registry: REGISTRY, now: morning + 4 * HOUR_MS, maxReadingAgeMs: 30 * DAY_MS };
    const readings = messages.flatMap((message) => {
      const result = validateMessage(message, context);
      return result.ok ? [result.reading] : [];
    });
    expect(readings).toHaveLength(messages.length);
    await makeSqliteReadingStore(db).write(readings);
    await localRollupsOf(db).runRange({ from: morning, to: morning + 3 * HOUR_MS }, () => undefined);

    const lastHour = morning + 2 * HOUR_MS;
    const quality = new Map(
      qualityReport(db, { from: lastHour, to: lastHour + HOUR_MS }).rows.map((row) => [row.sensor_id, row]),
    );
    expect(quality.get("SENS004")).toMatchObject({ stuck: 60, official: 0 });
    expect(quality.get("SENS003")).toMatchObject({ fog: 60, official: 0 });
    expect(quality.get("SENS001")).toMatchObject({ stuck: 0, fog: 0, official: 60, coverage: 1 });

    const nowcast = new Map(nowcastReport(db, { hour: lastHour, lang: "en" }).rows.map((row) => [row.id, row]));
    expect(nowcast.get("SENS001")?.nowcast_pm25).toEqual(expect.any(Number));
    expect(nowcast.get("SENS003")?.nowcast_pm25).toBeNull();
    expect(nowcast.get("SENS004")?.nowcast_pm25).toBeNull();
  });
});

describe("judging readings as they arrive", () => {
  it("judges each new reading once, and judges its neighbours again when it completes a stuck run", async () => {
    const hour = hourStartOf(Date.now()) - 2 * HOUR_MS;
    const store = makeSqliteReadingStore(db);
    const reading = (minute: number, pm25: number) => storedReading("SENS002", hour + minute * MINUTE, { pm25 });
    const rollups = makeSqliteRollupStore(db, REGISTRY);
    const range = { from: hour, to: hour + HOUR_MS };
    const flags = () =>
      db
        .prepare("SELECT quality_flags, judged_at IS NOT NULL AS judged FROM measurements ORDER BY timestamp")
        .all() as { quality_flags: string; judged: number }[];

    await store.write([reading(0, 18), reading(1, 20), reading(2, 20)]);
    const [first] = await rollups.bins(range);
    expect(first?.measures.pm25_corrected.count).toBe(3);
    expect(flags()).toEqual([
      { quality_flags: "[]", judged: 1 },
      { quality_flags: "[]", judged: 1 },
      { quality_flags: "[]", judged: 1 },
    ]);

    // A third 20 in a row: the two before it are stuck too, and leave the official figures.
    await store.write([reading(3, 20)]);
    const [second] = await rollups.bins(range);
    expect(flags().map((row) => row.quality_flags)).toEqual(["[]", '["stuck"]', '["stuck"]', '["stuck"]']);
    expect(second?.flags).toEqual({ stuck: 3 });
    expect(second?.measures.pm25_corrected.count).toBe(1);
    // 0.524 x 18 - 0.0862 x 60 + 5.75, the one official reading left: its minimum and maximum.
    expect(second?.measures.pm25_corrected).toMatchObject({ min: 10.01, max: 10.01 });
    expect(second?.measures.pm25).toMatchObject({ count: 4, sum: 78 });
  });
});
