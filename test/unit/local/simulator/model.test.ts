import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { correctPm25 } from "../../../../lambdas/core/correction.js";
import { assessReading, neighbourFlags } from "../../../../lambdas/core/quality.js";
import type { InboundMessage } from "../../../../lambdas/core/reading.js";
import type { Sensor } from "../../../../lambdas/core/sensor.js";
import { telemetryTopic } from "../../../../lambdas/core/topics.js";
import { validateMessage } from "../../../../lambdas/core/validate.js";
import { REGISTRY, SENSORS } from "../../../../lib/config/sensors.js";
import type { SensorFaultRates } from "../../../../local/simulator/faults.js";
import { type DustEpisode, simulateReading, type TelemetryPayload } from "../../../../local/simulator/model.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 10, 1);
const noDust = { seed: 1, dustEpisodes: [] };

const asMessage = (reading: TelemetryPayload): InboundMessage => ({
  payload: Buffer.from(JSON.stringify(reading)),
  topic: telemetryTopic(reading.sensor_id),
  receivedAt: Date.parse(reading.timestamp),
});

const validate = (reading: TelemetryPayload) =>
  validateMessage(asMessage(reading), {
    registry: REGISTRY,
    now: Date.parse(reading.timestamp),
    maxReadingAgeMs: 365 * DAY,
  });

const sensorOf = (zone: Sensor["zone"], city = "Dakar"): Sensor => {
  const sensor = SENSORS.find((candidate) => candidate.zone === zone && candidate.city === city);
  if (sensor === undefined) throw new Error(`the registry has no ${zone} sensor in ${city}`);
  return sensor;
};

/** Mean of a measure at an hour of the day over 14 days, sampled every 5 minutes within the hour. */
function meanAt(sensor: Sensor, hour: number, measure: "pm25" | "temperature" | "humidity" | "co2"): number {
  let sum = 0;
  let count = 0;
  for (let day = 0; day < 14; day++) {
    for (let minute = 0; minute < 60; minute += 5) {
      sum += simulateReading(sensor, START + day * DAY + hour * HOUR + minute * 60_000, noDust)[measure];
      count++;
    }
  }
  return sum / count;
}

const arbitraryEpisode = fc.record({
  start: fc.integer({ min: START, max: START + 30 * DAY }),
  hours: fc.double({ min: 0.25, max: 12, noNaN: true }),
  peakPm25: fc.double({ min: 0, max: 900, noNaN: true }),
});

describe("simulated readings", () => {
  it("always satisfy the message contract, dust or not", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SENSORS),
        fc.integer({ min: START, max: START + 40 * DAY }),
        fc.nat(),
        fc.array(arbitraryEpisode, { maxLength: 3 }),
        (sensor, time, seed, dustEpisodes) => {
          const reading = simulateReading(sensor, time, { seed, dustEpisodes });
          const result = validate(reading);
          expect(result.ok ? "valid" : result.rejection).toBe("valid");
          expect(Number.isInteger(reading.co2)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("are the same for the same seed and differ for another", () => {
    const sensor = sensorOf("Urban");
    const times = Array.from({ length: 50 }, (_, index) => START + index * 61_000);
    const run = (seed: number) => times.map((time) => simulateReading(sensor, time, { seed, dustEpisodes: [] }));
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it("peak with the morning and evening traffic, most in busy zones", () => {
    for (const zone of ["Urban", "Commercial"] as const) {
      const sensor = sensorOf(zone);
      const [night, morning, afternoon, evening] = [3, 8, 14, 19].map((hour) => meanAt(sensor, hour, "pm25"));
      expect(morning).toBeGreaterThan(1.5 * (night ?? 0));
      expect(evening).toBeGreaterThan(1.5 * (night ?? 0));
      expect(morning).toBeGreaterThan(afternoon ?? 0);
      expect(evening).toBeGreaterThan(afternoon ?? 0);
      expect(meanAt(sensor, 8, "co2")).toBeGreaterThan(meanAt(sensor, 3, "co2") + 50);
    }
    const residential = sensorOf("Residential");
    expect(meanAt(sensorOf("Urban"), 8, "pm25")).toBeGreaterThan(1.5 * meanAt(residential, 8, "pm25"));
    expect(meanAt(sensorOf("Commercial"), 19, "pm25")).toBeGreaterThan(1.5 * meanAt(residential, 19, "pm25"));
  });

  it("are warmer and drier in the afternoon, cooler and moister at night", () => {
    for (const sensor of SENSORS) {
      expect(meanAt(sensor, 15, "temperature")).toBeGreaterThan(meanAt(sensor, 5, "temperature") + 4);
      expect(meanAt(sensor, 15, "humidity")).toBeLessThan(meanAt(sensor, 4, "humidity") - 15);
    }
  });

  it("go far above 150 ug/m3 PM2.5 in dry air during a dust episode, and back down after it", () => {
    // The air's PM2.5, as a reference instrument reads it (a PMS5003 overreads it, tested below).
    const references = SENSORS.map((sensor) => ({ ...sensor, pm25Correction: "none" as const }));
    fc.assert(
      fc.property(
        fc.constantFrom(...references),
        fc.nat(),
        fc.double({ min: 0.5, max: 8, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (sensor, seed, hours, where) => {
          const episode: DustEpisode = { start: START + 3 * DAY + 5 * HOUR, hours, peakPm25: 260 };
          const options = { seed, dustEpisodes: [episode] };
          const during = simulateReading(sensor, episode.start + where * hours * HOUR, options);
          expect(during.pm25).toBeGreaterThan(200);
          expect(during.humidity).toBeLessThan(40);
          const cleared = simulateReading(sensor, episode.start + (hours + 1 + where * 3) * HOUR, options);
          // Below the dev stage's alert threshold minus its hysteresis (150 - 20), so an alert resolves.
          expect(cleared.pm25).toBeLessThan(130);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("what a low-cost sensor reports", () => {
  const plantower = sensorOf("Urban");
  const reference = { ...plantower, pm25Correction: "none" as const };

  it("overreads in humid air by what the EPA correction takes back", () => {
    for (let minute = 0; minute < 24 * 60; minute += 7) {
      const time = START + minute * 60_000;
      const raw = simulateReading(plantower, time, noDust);
      const truth = simulateReading(reference, time, noDust);
      const corrected = correctPm25("epa_barkjohn_2022", raw.pm25, raw.humidity) ?? Number.NaN;
      // Raw PM2.5 is rounded to 0.1: its correction is within 0.06 of the model's value.
      if (raw.pm25 > 0) expect(Math.abs(corrected - truth.pm25)).toBeLessThan(0.1);
      expect(raw.pm25).toBeGreaterThanOrEqual(truth.pm25);
    }
  });
});

describe("sensor faults", () => {
  const sensor = sensorOf("Residential");
  const minutes = (from: number, count: number, faults: Partial<SensorFaultRates>) =>
    Array.from({ length: count }, (_, minute) =>
      simulateReading(sensor, from + minute * 60_000, {
        ...noDust,
        sensorFaults: { stuck: 0, spike: 0, fog: 0, clock: 0, ...faults },
      }),
    );
  const series = (readings: readonly TelemetryPayload[]) =>
    readings.map((reading, index) => ({
      timestamp: Date.parse(reading.timestamp),
      receivedAt: START + index * 60_000 + 500,
      pm25: reading.pm25,
    }));

  it("a stuck sensor repeats one value for ten minutes, and the roll-up's flags catch it", () => {
    const readings = minutes(START, 20, { stuck: 1 });
    expect(new Set(readings.slice(0, 10).map((reading) => reading.pm25)).size).toBe(1);
    expect(neighbourFlags(series(readings), 60_000).every((flags) => flags.includes("stuck"))).toBe(true);
    const healthy = minutes(START, 20, {});
    expect(neighbourFlags(series(healthy), 60_000).some((flags) => flags.includes("stuck"))).toBe(false);
  });

  it("a foggy morning sits at 96 % RH or more from 05:00 to 09:00 and is flagged fog", () => {
    const morning = minutes(START + 5 * HOUR, 240, { fog: 1 });
    expect(morning.every((reading) => reading.humidity >= 96)).toBe(true);
    expect(morning.every((reading) => assessReading(reading, "epa_barkjohn_2022").flags.includes("fog"))).toBe(true);
    const afternoon = minutes(START + 14 * HOUR, 60, { fog: 1 });
    expect(afternoon.some((reading) => reading.humidity >= 95)).toBe(false);
  });

  it("a spike is six times the reading and 30 more; a clock fault stamps it an hour and 30 s early", () => {
    const [normal] = minutes(START, 1, {});
    const [spiked] = minutes(START, 1, { spike: 1 });
    const [early] = minutes(START, 1, { clock: 1 });
    expect(spiked?.pm25).toBeCloseTo((normal?.pm25 ?? 0) * 6 + 30, 0);
    expect(Date.parse(early?.timestamp ?? "")).toBe(START - HOUR - 30_000);
  });
});
