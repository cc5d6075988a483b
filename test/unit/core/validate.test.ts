import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assessReading } from "../../../lambdas/core/quality.js";
import { MAX_FUTURE_SKEW_MS, MAX_PAYLOAD_BYTES, REASON_CODES } from "../../../lambdas/core/reading.js";
import { sensorIdFromTopic, telemetryTopic } from "../../../lambdas/core/topics.js";
import {
  FIELD_RANGES,
  parseTimestamp,
  REQUIRED_FIELDS,
  type ValidationResult,
  validateMessage,
} from "../../../lambdas/core/validate.js";
import { REGISTRY } from "../../../lib/config/sensors.js";
import { CONTEXT, goodPayload, MAX_READING_AGE_MS, messageOf, NOW } from "../../fixtures/telemetry.js";

const validate = (payload: unknown, options?: Parameters<typeof messageOf>[1]) =>
  validateMessage(messageOf(payload, options), CONTEXT);

function rejectionOf(result: ValidationResult) {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.reading)}`);
  return result.rejection;
}

describe("validateMessage accepts a good reading", () => {
  it("enriches it from the registry with the receive time", () => {
    const result = validate(goodPayload(), { receivedAt: NOW + 5 });
    expect(result).toEqual({
      ok: true,
      reading: {
        sensorId: "SENS001",
        timestamp: Date.parse("2026-11-28T10:00:00Z"),
        pm25: 23.4,
        temperature: 29.1,
        humidity: 71,
        co2: 612,
        locationName: "Dakar - Plateau",
        zone: "Urban",
        city: "Dakar",
        receivedAt: NOW + 5,
        // PMS5003: the EPA's correction, 0.524 x 23.4 - 0.0862 x 71 + 5.75, beside the raw value.
        pm25Corrected: 11.89,
        correction: "epa_barkjohn_2022@1",
        flags: [],
      },
    });
  });

  it("keeps the optional fields and drops unknown ones", () => {
    const result = validate(goodPayload({ battery: 88.5, rssi: -70, firmware: "2.4.1", colour: "blue", extra: {} }));
    expect(result.ok && result.reading).toMatchObject({ battery: 88.5, rssi: -70, firmware: "2.4.1" });
    expect(result.ok && Object.keys(result.reading)).not.toContain("colour");
    expect(result.ok && Object.keys(result.reading)).not.toContain("extra");
  });

  it("takes integer epoch milliseconds as the timestamp", () => {
    const result = validate(goodPayload({ timestamp: NOW - 1234 }));
    expect(result.ok && result.reading.timestamp).toBe(NOW - 1234);
  });
});

describe("payload_too_large", () => {
  const padded = (bytes: number) => {
    const json = JSON.stringify(goodPayload());
    return `${json.slice(0, -1)}${" ".repeat(bytes - json.length)}}`;
  };

  it("refuses a payload over 8 KiB, even a valid one", () => {
    expect(rejectionOf(validate(padded(MAX_PAYLOAD_BYTES + 1), { raw: true })).reason).toBe("payload_too_large");
  });

  it("accepts exactly 8 KiB", () => {
    expect(validate(padded(MAX_PAYLOAD_BYTES), { raw: true }).ok).toBe(true);
  });
});

describe("malformed_json", () => {
  it.each(["", "{", '{"sensor_id": "SENS001",}', "SENS001,23.4,29.1", "NaN"])("refuses %j", (text) => {
    expect(rejectionOf(validate(text, { raw: true })).reason).toBe("malformed_json");
  });

  it("refuses bytes that are not UTF-8", () => {
    const message = { ...messageOf(goodPayload()), payload: Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) };
    expect(rejectionOf(validateMessage(message, CONTEXT)).reason).toBe("malformed_json");
  });
});

describe("not_an_object", () => {
  it.each(["[]", "[1,2]", "42", "null", '"SENS001"', "true"])("refuses %s", (text) => {
    expect(rejectionOf(validate(text, { raw: true })).reason).toBe("not_an_object");
  });
});

describe("missing_field", () => {
  it.each(REQUIRED_FIELDS)("refuses a reading without %s and names it", (field) => {
    const { [field]: _dropped, ...rest } = goodPayload();
    const rejection = rejectionOf(validate(rest, { topic: telemetryTopic("SENS001") }));
    expect(rejection).toEqual({ reason: "missing_field", detail: expect.stringContaining(field) });
  });
});

describe("wrong_type", () => {
  it.each([
    ["pm25 as a string", { pm25: "23.4" }],
    ["temperature as null", { temperature: null }],
    ["humidity as a boolean", { humidity: true }],
    ["co2 with a fraction", { co2: 612.5 }],
    ["rssi with a fraction", { rssi: -70.5 }],
    ["battery as a string", { battery: "full" }],
    ["firmware as a number", { firmware: 2 }],
    ["sensor_id as a number", { sensor_id: 1 }],
    ["timestamp as an object", { timestamp: { seconds: 1 } }],
    ["timestamp with a fraction of a millisecond", { timestamp: NOW - 0.5 }],
    ["timestamp as words", { timestamp: "yesterday" }],
    ["a date without a time", { timestamp: "2026-11-28" }],
    ["an impossible date", { timestamp: "2026-02-30T10:00:00Z" }],
    ["hour 24", { timestamp: "2026-11-28T24:00:00Z" }],
  ])("refuses %s", (_name, overrides) => {
    expect(rejectionOf(validate(goodPayload(overrides), { topic: telemetryTopic("SENS001") })).reason).toBe(
      "wrong_type",
    );
  });

  // Decision: a local time names no instant, so it is the wrong kind of value, not a value out of range.
  it("refuses an ISO timestamp without a zone as wrong_type and says what is missing", () => {
    const rejection = rejectionOf(validate(goodPayload({ timestamp: "2026-11-28T10:00:00" })));
    expect(rejection.reason).toBe("wrong_type");
    expect(rejection.detail).toMatch(/no zone/);
  });
});

describe("out_of_range", () => {
  const cases = Object.entries(FIELD_RANGES).flatMap(([field, { min, max, integer }]) => {
    const step = integer ? 1 : 0.001;
    return [
      { field, value: min, ok: true },
      { field, value: max, ok: true },
      { field, value: min - step, ok: false },
      { field, value: max + step, ok: false },
    ];
  });

  it.each(cases)("$field = $value is accepted: $ok (bounds are inclusive)", ({ field, value, ok }) => {
    const result = validate(goodPayload({ [field]: value }));
    if (ok) expect(result.ok).toBe(true);
    else expect(rejectionOf(result)).toEqual({ reason: "out_of_range", detail: expect.stringContaining(field) });
  });

  it("refuses a number too large for a double (JSON 1e999)", () => {
    const text = JSON.stringify(goodPayload()).replace('"pm25":23.4', '"pm25":1e999');
    expect(rejectionOf(validate(text, { raw: true })).reason).toBe("out_of_range");
  });

  it("accepts a 32-character firmware and refuses 33", () => {
    expect(validate(goodPayload({ firmware: "f".repeat(32) })).ok).toBe(true);
    expect(rejectionOf(validate(goodPayload({ firmware: "f".repeat(33) }))).reason).toBe("out_of_range");
  });
});

describe("sensor_mismatch", () => {
  it("refuses a payload whose sensor_id is not the topic's", () => {
    const rejection = rejectionOf(
      validate(goodPayload({ sensor_id: "SENS002" }), { topic: telemetryTopic("SENS001") }),
    );
    expect(rejection.reason).toBe("sensor_mismatch");
    expect(rejection.detail).toContain("SENS002");
  });

  it.each(["kaikai/sensors/SENS001", "kaikai/sensors//telemetry", "kaikai/sensors/a/b/telemetry", "other/topic", ""])(
    "refuses the topic %j, which is not a telemetry topic",
    (topic) => {
      const rejection = rejectionOf(validate(goodPayload(), { topic }));
      expect(rejection.reason).toBe("sensor_mismatch");
      expect(rejection.detail).toMatch(/not kaikai\/sensors\/\{id\}\/telemetry/);
    },
  );
});

describe("unknown_sensor", () => {
  it("refuses a sensor that is not in the registry, even on its own topic", () => {
    const rejection = rejectionOf(validate(goodPayload({ sensor_id: "SENS999" })));
    expect(rejection).toEqual({ reason: "unknown_sensor", detail: expect.stringContaining("SENS999") });
  });
});

describe("the time window", () => {
  it("accepts a reading exactly 15 minutes ahead and refuses one a millisecond later (timestamp_in_future)", () => {
    expect(validate(goodPayload({ timestamp: NOW + MAX_FUTURE_SKEW_MS })).ok).toBe(true);
    expect(rejectionOf(validate(goodPayload({ timestamp: NOW + MAX_FUTURE_SKEW_MS + 1 }))).reason).toBe(
      "timestamp_in_future",
    );
  });

  it("accepts the oldest accepted instant and refuses a millisecond before it (timestamp_too_old)", () => {
    expect(validate(goodPayload({ timestamp: NOW - MAX_READING_AGE_MS })).ok).toBe(true);
    expect(rejectionOf(validate(goodPayload({ timestamp: NOW - MAX_READING_AGE_MS - 1 }))).reason).toBe(
      "timestamp_too_old",
    );
  });

  it("refuses epoch seconds sent by mistake as too old", () => {
    expect(rejectionOf(validate(goodPayload({ timestamp: Math.floor(NOW / 1000) }))).reason).toBe("timestamp_too_old");
  });
});

describe("parseTimestamp", () => {
  it.each([
    ["2026-11-28T10:00:00Z", Date.parse("2026-11-28T10:00:00Z")],
    ["2026-11-28T10:00Z", Date.parse("2026-11-28T10:00:00Z")],
    ["2026-11-28T12:00:00+02:00", Date.parse("2026-11-28T10:00:00Z")],
    ["2026-11-28T09:30:00-00:30", Date.parse("2026-11-28T10:00:00Z")],
    ["2026-11-28T10:00:00.123456Z", Date.parse("2026-11-28T10:00:00.123Z")],
    ["2024-02-29T00:00:00Z", Date.parse("2024-02-29T00:00:00Z")],
    ["0050-01-01T00:00:00Z", Date.parse("0050-01-01T00:00:00Z")],
  ])("reads %s", (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it.each(["2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-28T10:60:00Z", "2026-11-28 10:00:00Z"])(
    "refuses %s",
    (text) => {
      expect(typeof parseTimestamp(text)).toBe("string");
    },
  );
});

describe("sensorIdFromTopic", () => {
  it("reads the id of a telemetry topic and nothing else", () => {
    expect(sensorIdFromTopic("kaikai/sensors/SENS004/telemetry")).toBe("SENS004");
    expect(sensorIdFromTopic("kaikai/alerts/SENS004")).toBeUndefined();
  });
});

describe("properties", () => {
  const anyTopic = fc.oneof(
    fc.string(),
    fc.constantFrom(...[...REGISTRY.keys()].map(telemetryTopic)),
    fc.string().map(telemetryTopic),
  );
  const isVerdict = (result: ValidationResult) => result.ok || REASON_CODES.includes(result.rejection.reason);

  it("any byte string on any topic gives a reading or a reason code, never a throw", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: MAX_PAYLOAD_BYTES + 16 }), anyTopic, (payload, topic) => {
        expect(isVerdict(validateMessage({ payload, topic, receivedAt: NOW }, CONTEXT))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("any JSON value on any topic gives a reading or a reason code, never a throw", () => {
    fc.assert(
      fc.property(fc.jsonValue(), anyTopic, (value, topic) => {
        expect(isVerdict(validate(value, { topic }))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("an object with the contract's keys and any JSON values gives a reading or a reason code", () => {
    const anyField = fc.option(fc.oneof(fc.jsonValue(), fc.integer(), fc.double()), { nil: undefined });
    const fields = fc.record({
      sensor_id: fc.option(fc.constantFrom("SENS001", "SENS999", ""), { nil: undefined }),
      timestamp: fc.oneof(
        anyField,
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      ),
      pm25: anyField,
      temperature: anyField,
      humidity: anyField,
      co2: anyField,
      battery: anyField,
      rssi: anyField,
      firmware: anyField,
    });
    fc.assert(
      fc.property(fields, (payload) => {
        expect(isVerdict(validate(payload, { topic: telemetryTopic("SENS001") }))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("a valid generated reading is accepted and round-trips", () => {
    const within = (field: keyof typeof FIELD_RANGES) => {
      const { min, max, integer } = FIELD_RANGES[field];
      return integer ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true });
    };
    const offsetMinutes = fc.integer({ min: -14 * 60, max: 14 * 60 });
    const reading = fc.record({
      sensorId: fc.constantFrom(...REGISTRY.keys()),
      timestamp: fc.integer({ min: NOW - MAX_READING_AGE_MS, max: NOW + MAX_FUTURE_SKEW_MS }),
      asIso: fc.boolean(),
      offsetMinutes,
      pm25: within("pm25"),
      temperature: within("temperature"),
      humidity: within("humidity"),
      co2: within("co2"),
      battery: fc.option(within("battery"), { nil: undefined }),
      rssi: fc.option(within("rssi"), { nil: undefined }),
      firmware: fc.option(fc.string({ maxLength: 32 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(reading, ({ sensorId, timestamp, asIso, offsetMinutes, ...values }) => {
        const payload = {
          sensor_id: sensorId,
          timestamp: asIso ? isoWithOffset(timestamp, offsetMinutes) : timestamp,
          ...values,
        };
        const result = validate(payload);
        expect(result.ok).toBe(true);
        const sensor = REGISTRY.get(sensorId);
        expect(result.ok && result.reading).toEqual({
          sensorId,
          timestamp,
          // What survives JSON: undefined fields vanish and -0 becomes 0.
          ...JSON.parse(JSON.stringify(values)),
          locationName: sensor?.locationName,
          zone: sensor?.zone,
          city: sensor?.city,
          receivedAt: NOW,
          ...assessReading({ ...values, humidity: values.humidity }, sensor?.pm25Correction ?? "none"),
        });
      }),
      { numRuns: 300 },
    );
  });
});

/** `epochMs` written as local time at a UTC offset, e.g. 2026-11-28T12:00:00.000+02:00. */
function isoWithOffset(epochMs: number, offsetMinutes: number): string {
  const local = new Date(epochMs + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const magnitude = Math.abs(offsetMinutes);
  const hh = String(Math.floor(magnitude / 60)).padStart(2, "0");
  const mm = String(magnitude % 60).padStart(2, "0");
  return `${local}${sign}${hh}:${mm}`;
}
