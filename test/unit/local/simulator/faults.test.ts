import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateMessage } from "../../../../lambdas/core/validate.js";
import { REGISTRY, SENSORS } from "../../../../lib/config/sensors.js";
import {
  chooseFault,
  encodeReading,
  FAULT_KINDS,
  type FaultKind,
  FaultSpecError,
  NO_FAULTS,
  type OutgoingMessage,
  parseFaultRates,
} from "../../../../local/simulator/faults.js";
import { simulateReading } from "../../../../local/simulator/model.js";
import { seededRandom } from "../../../../local/simulator/random.js";

const NOW = Date.UTC(2026, 10, 28, 10);

const verdict = (message: OutgoingMessage): string => {
  const result = validateMessage(
    { payload: message.payload, topic: message.topic, receivedAt: NOW },
    { registry: REGISTRY, now: NOW, maxReadingAgeMs: 86_400_000 },
  );
  return result.ok ? "valid" : result.rejection.reason;
};

const EXPECTED_REASON: Record<FaultKind, string> = {
  malformed: "malformed_json",
  out_of_range: "out_of_range",
  unknown_sensor: "unknown_sensor",
  duplicate: "valid",
};

describe("fault specification", () => {
  it("parses named rates and leaves the others at zero", () => {
    expect(parseFaultRates("malformed=0.02, duplicate=0.1, stuck=0.5")).toEqual({
      malformed: 0.02,
      out_of_range: 0,
      unknown_sensor: 0,
      duplicate: 0.1,
      stuck: 0.5,
      spike: 0,
      fog: 0,
      clock: 0,
    });
  });

  it.each([
    ["typo=0.1", /unknown fault "typo"/],
    ["malformed=", /must be a number from 0 to 1/],
    ["malformed=1.5", /must be a number from 0 to 1/],
    ["malformed=-0.1", /must be a number from 0 to 1/],
    ["malformed=0.6,duplicate=0.6", /add up to 1.2/],
  ])("refuses %s", (spec, message) => {
    expect(() => parseFaultRates(spec)).toThrow(FaultSpecError);
    expect(() => parseFaultRates(spec)).toThrow(message);
  });
});

describe("injected faults", () => {
  it("appear at their rates, the same for the same seed", () => {
    const rates = { ...NO_FAULTS, malformed: 0.02, out_of_range: 0.01, unknown_sensor: 0.01, duplicate: 0.05 };
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 40_000 }, () => chooseFault(rates, random));
    };
    const faults = draw(3);
    for (const kind of FAULT_KINDS) {
      const share = faults.filter((fault) => fault === kind).length / faults.length;
      expect(share).toBeGreaterThan(rates[kind] * 0.8);
      expect(share).toBeLessThan(rates[kind] * 1.2);
    }
    expect(draw(3)).toEqual(faults);
  });

  it("are each refused with their reason code, and a duplicate is the same bytes twice", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SENSORS),
        fc.integer({ min: NOW - 3_600_000, max: NOW }),
        fc.constantFrom(null, ...FAULT_KINDS),
        fc.nat(),
        (sensor, time, fault, seed) => {
          const reading = simulateReading(sensor, time, { seed, dustEpisodes: [] });
          const messages = encodeReading(reading, fault, REGISTRY, seededRandom(seed));
          expect(messages.map(verdict)).toEqual(
            fault === "duplicate" ? ["valid", "valid"] : [fault === null ? "valid" : EXPECTED_REASON[fault]],
          );
          expect(messages.every((message) => message.fault === fault)).toBe(true);
          if (fault === "duplicate")
            expect(messages[0]?.payload.equals(messages[1]?.payload ?? Buffer.alloc(0))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
