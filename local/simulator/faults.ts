/**
 * Faults a real fleet produces, injected at configurable rates so that the pipeline's rejects,
 * quarantine and idempotency can be watched: broken JSON, values out of the contract's ranges,
 * sensors missing from the registry, and the same reading delivered twice. And faults of the
 * sensors themselves, valid readings that the quality flags catch (lambdas/core/quality.ts): a
 * sensor stuck on one value, a spike, a foggy morning, a clock an hour behind.
 */

import type { SensorRegistry } from "../../lambdas/core/sensor.js";
import { telemetryTopic } from "../../lambdas/core/topics.js";
import type { TelemetryPayload } from "./model.js";

export const FAULT_KINDS = ["malformed", "out_of_range", "unknown_sensor", "duplicate"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Faults of the sensors (simulator/model.ts applies them): `stuck`, the share of 10-minute
 * stretches a sensor repeats one value; `spike`, the share of readings six times too high; `fog`,
 * the share of mornings (05:00 to 09:00) a city spends at 96 % RH or more; `clock`, the share of
 * readings stamped an hour and 30 seconds early, inside a span already reported.
 */
export const SENSOR_FAULTS = ["stuck", "spike", "fog", "clock"] as const;
export type SensorFault = (typeof SENSOR_FAULTS)[number];
export type SensorFaultRates = Readonly<Record<SensorFault, number>>;

/**
 * Share of readings, each in [0, 1], that get each message fault (they add up to at most 1), and
 * the share of each sensor fault.
 */
export type FaultRates = Readonly<Record<FaultKind, number>> & SensorFaultRates;

export const NO_FAULTS: FaultRates = {
  malformed: 0,
  out_of_range: 0,
  unknown_sensor: 0,
  duplicate: 0,
  stuck: 0,
  spike: 0,
  fog: 0,
  clock: 0,
};

export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FaultSpecError";
  }
}

const ALL_FAULTS = [...FAULT_KINDS, ...SENSOR_FAULTS] as const;
const isFault = (name: string): name is (typeof ALL_FAULTS)[number] => (ALL_FAULTS as readonly string[]).includes(name);

/** Parses `malformed=0.02,out_of_range=0.01,stuck=0.05,...`; faults not named get rate 0. */
export function parseFaultRates(spec: string): FaultRates {
  const rates: Record<FaultKind | SensorFault, number> = { ...NO_FAULTS };
  for (const part of spec.split(",")) {
    const [name = "", value = "", ...rest] = part.trim().split("=");
    if (!isFault(name)) {
      throw new FaultSpecError(`unknown fault "${name}" (expected ${ALL_FAULTS.join(", ")})`);
    }
    const rate = Number(value);
    if (rest.length > 0 || value.trim() === "" || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new FaultSpecError(`fault rate of ${name} must be a number from 0 to 1, got "${part.trim()}"`);
    }
    rates[name] = rate;
  }
  const total = FAULT_KINDS.reduce((sum, kind) => sum + rates[kind], 0);
  if (total > 1) throw new FaultSpecError(`fault rates add up to ${total}, more than 1`);
  return rates;
}

export interface OutgoingMessage {
  readonly topic: string;
  readonly payload: Buffer;
  /** The fault this message carries, or null for a good reading. */
  readonly fault: FaultKind | null;
}

/** Draws the fault of one reading, or null; `random` returns numbers in [0, 1). */
export function chooseFault(rates: FaultRates, random: () => number): FaultKind | null {
  let draw = random();
  for (const kind of FAULT_KINDS) {
    if (draw < rates[kind]) return kind;
    draw -= rates[kind];
  }
  return null;
}

const pick = <Items extends readonly [unknown, ...unknown[]]>(items: Items, random: () => number): Items[number] =>
  items[Math.floor(random() * items.length)] ?? items[0];

/** Values just or far outside the contract's inclusive ranges, each with the field it breaks. */
const OUT_OF_RANGE_VALUES = [
  ["pm25", 1000.1],
  ["pm25", -5],
  ["temperature", 85.5],
  ["temperature", -60],
  ["humidity", 101],
  ["humidity", 140],
  ["co2", 120],
  ["co2", 25_000],
] as const satisfies readonly [keyof TelemetryPayload, number][];

/** Ids that look like the fleet's but are not in the registry. */
function unknownSensorId(registry: SensorRegistry, random: () => number): string {
  let id = `SENS9${String(Math.floor(random() * 100)).padStart(2, "0")}`;
  while (registry.has(id)) id = `${id}X`;
  return id;
}

/**
 * The messages that carry one reading: one for a good reading, a broken one for a fault, two
 * byte-identical ones for a duplicate.
 */
export function encodeReading(
  reading: TelemetryPayload,
  fault: FaultKind | null,
  registry: SensorRegistry,
  random: () => number,
): OutgoingMessage[] {
  const topic = telemetryTopic(reading.sensor_id);
  switch (fault) {
    case null:
      return [{ topic, payload: Buffer.from(JSON.stringify(reading)), fault }];
    case "duplicate": {
      const payload = Buffer.from(JSON.stringify(reading));
      return [
        { topic, payload, fault },
        { topic, payload, fault },
      ];
    }
    case "malformed": {
      // Any strict prefix of a JSON object lacks its closing brace, so it never parses.
      const text = JSON.stringify(reading);
      const cut = 1 + Math.floor(random() * (text.length - 1));
      return [{ topic, payload: Buffer.from(text.slice(0, cut)), fault }];
    }
    case "out_of_range": {
      const [field, value] = pick(OUT_OF_RANGE_VALUES, random);
      return [{ topic, payload: Buffer.from(JSON.stringify({ ...reading, [field]: value })), fault }];
    }
    case "unknown_sensor": {
      const sensorId = unknownSensorId(registry, random);
      const payload = Buffer.from(JSON.stringify({ ...reading, sensor_id: sensorId }));
      return [{ topic: telemetryTopic(sensorId), payload, fault }];
    }
  }
}
