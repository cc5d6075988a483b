/**
 * Late data in the cloud: ingest notes the hours the scheduled roll-up no longer covers, and the
 * next scheduled hourly roll-up rolls them up again, starts their zones, and only then lets go.
 */

import { describe, expect, it, vi } from "vitest";
import type { HourRange, SensorHourBin } from "../../../lambdas/core/aggregates.js";
import type { EnrichedReading } from "../../../lambdas/core/reading.js";
import { EMPTY_MEASURES } from "../../../lambdas/core/rollup.js";
import { noMetrics } from "../../../lambdas/ports.js";
import { makeHourlyRollup } from "../../../lambdas/use-cases/hourly-rollup.js";
import { allListeners, makeLateHoursNoter } from "../../../lambdas/use-cases/late-data.js";
import { REGISTRY } from "../../../lib/config/sensors.js";
import { silentLogger } from "../../fixtures/fakes.js";
import { withQuality } from "../../fixtures/telemetry.js";

const NOW = Date.parse("2026-11-28T20:05:00Z");
const at = (iso: string) => Date.parse(iso);

const reading = (timestamp: number): EnrichedReading =>
  withQuality({
    sensorId: "SENS001",
    timestamp,
    pm25: 20,
    temperature: 28,
    humidity: 70,
    co2: 500,
    locationName: "Dakar - Plateau",
    zone: "Urban",
    city: "Dakar",
    receivedAt: NOW,
  });

describe("makeLateHoursNoter", () => {
  it("notes the hours before the scheduled run's three, once each, and nothing for recent readings", async () => {
    const note = vi.fn(async () => undefined);
    const noter = makeLateHoursNoter({ sink: { note }, clock: { now: () => NOW }, logger: silentLogger() });
    await noter.onStored([reading(at("2026-11-28T19:30:00Z")), reading(at("2026-11-28T17:00:00Z"))]);
    expect(note).not.toHaveBeenCalled();
    await noter.onStored([
      reading(at("2026-11-28T10:10:00Z")),
      reading(at("2026-11-28T10:50:00Z")),
      reading(at("2026-11-20T03:00:00Z")),
      reading(at("2026-11-28T19:00:00Z")),
    ]);
    expect(note).toHaveBeenCalledWith([at("2026-11-20T03:00:00Z"), at("2026-11-28T10:00:00Z")]);
  });

  it("logs a failed note with the command that makes up for it, and never throws", async () => {
    const logger = silentLogger();
    const noter = makeLateHoursNoter({
      sink: { note: async () => Promise.reject(new Error("SQS unavailable")) },
      clock: { now: () => NOW },
      logger,
    });
    await expect(noter.onStored([reading(at("2026-11-28T10:10:00Z"))])).resolves.toBeUndefined();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining("kaikai rollup --since"),
      expect.objectContaining({ hours: ["2026-11-28T10:00:00.000Z"] }),
    );
  });

  it("tells every listener even when one fails, and then fails", async () => {
    const told = vi.fn(async () => undefined);
    const failing = { onStored: async () => Promise.reject(new Error("boom")) };
    await expect(allListeners([failing, { onStored: told }]).onStored([reading(NOW)])).rejects.toThrow("boom");
    expect(told).toHaveBeenCalledOnce();
  });
});

describe("the scheduled hourly roll-up and late hours", () => {
  function setup(late: readonly number[], options: { failOn?: number } = {}) {
    const binned: HourRange[] = [];
    const zones: HourRange[] = [];
    const done = vi.fn(async () => undefined);
    const take = vi.fn(async () => ({ hourStarts: late, done }));
    const rollup = makeHourlyRollup({
      registry: REGISTRY,
      bins: {
        bins: async (range) => {
          if (range.from === options.failOn) throw new Error("Timestream throttled");
          binned.push(range);
          const bin: SensorHourBin = {
            sensorId: "SENS001",
            hourStart: range.from,
            readings: 1,
            measures: EMPTY_MEASURES,
            flags: {},
          };
          return [bin];
        },
      },
      writer: { writeHourly: async () => undefined },
      hourly: { hourly: async () => [] },
      publisher: {
        publishHourly: async () => undefined,
        publishZones: async () => undefined,
        publishDaily: async () => undefined,
      },
      alerting: {
        rules: [],
        states: { load: async () => ({ states: {}, version: null }), save: async () => undefined },
        sink: { publish: async () => undefined },
      },
      lateData: { source: { take }, zones: { rollUp: async (range) => void zones.push(range) } },
      clock: { now: () => NOW },
      logger: silentLogger(),
      metrics: noMetrics,
    });
    return { rollup, binned, zones, done, take };
  }

  it("rolls a late hour up again with the 11 after it, starts their zones, then lets the note go", async () => {
    const { rollup, binned, zones, done } = setup([at("2026-11-28T10:00:00Z")]);
    const result = await rollup({});
    const lateRange = { from: at("2026-11-28T10:00:00Z"), to: at("2026-11-28T17:00:00Z") };
    expect(binned).toEqual([lateRange, { from: at("2026-11-28T17:00:00Z"), to: at("2026-11-28T20:00:00Z") }]);
    expect(zones).toEqual([lateRange]);
    expect(done).toHaveBeenCalledOnce();
    expect(result.lateRanges).toEqual([{ from: "2026-11-28T10:00:00.000Z", to: "2026-11-28T17:00:00.000Z" }]);
  });

  it("keeps the note when rolling the late hours up fails, for the next run", async () => {
    const { rollup, done, zones } = setup([at("2026-11-28T10:00:00Z")], { failOn: at("2026-11-28T10:00:00Z") });
    await expect(rollup({})).rejects.toThrow("Timestream throttled");
    expect(done).not.toHaveBeenCalled();
    expect(zones).toEqual([]);
  });

  it("takes nothing on an explicit hour or backfill, which are re-runs of their own", async () => {
    const { rollup, take } = setup([at("2026-11-28T10:00:00Z")]);
    await rollup({ hour: "2026-11-28T12:00:00Z" });
    expect(take).not.toHaveBeenCalled();
  });

  it("lets go of notes for hours the scheduled run covers anyway", async () => {
    const { rollup, binned, zones, done } = setup([at("2026-11-28T18:00:00Z")]);
    await rollup({});
    expect(binned).toHaveLength(1);
    expect(zones).toEqual([]);
    expect(done).toHaveBeenCalledOnce();
  });
});
