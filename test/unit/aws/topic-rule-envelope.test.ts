import { describe, expect, it } from "vitest";
import { parseEnvelope, toEnvelopeBody, UNKNOWN_TOPIC } from "../../../lambdas/aws/topic-rule-envelope.js";
import { TELEMETRY_RULE_SQL, TELEMETRY_RULE_SQL_VERSION } from "../../../lambdas/bindings/topic-rule.js";

const FALLBACK = 1_764_324_000_000;

describe("the topic rule envelope", () => {
  it("is what the rule SQL selects: the raw payload in base64, the topic and the receive time", () => {
    expect(TELEMETRY_RULE_SQL).toBe(
      "SELECT encode(*, 'base64') AS payload, topic() AS topic, timestamp() AS received_at FROM 'kaikai/sensors/+/telemetry'",
    );
    expect(TELEMETRY_RULE_SQL_VERSION).toBe("2016-03-23");
  });

  it("gives back the exact payload bytes, even when they are not JSON", () => {
    const payload = Uint8Array.from([0x7b, 0xff, 0x00, 0x22]);
    const body = JSON.stringify({
      payload: Buffer.from(payload).toString("base64"),
      topic: "kaikai/sensors/SENS001/telemetry",
      received_at: 1_764_324_000_123,
    });
    const result = parseEnvelope(body, FALLBACK);
    expect(result.ok).toBe(true);
    expect(Uint8Array.from(result.message.payload)).toEqual(payload);
    expect(result.message).toMatchObject({ topic: "kaikai/sensors/SENS001/telemetry", receivedAt: 1_764_324_000_123 });
  });

  it("round-trips through toEnvelopeBody", () => {
    const message = { payload: new TextEncoder().encode('{"a":1}'), topic: "t", receivedAt: 5 };
    const result = parseEnvelope(toEnvelopeBody(message), FALLBACK);
    expect(result.ok && { ...result.message, payload: Uint8Array.from(result.message.payload) }).toEqual(message);
  });

  it.each([
    ["a body that is not JSON", "not json"],
    ["a reading sent without the envelope", '{"sensor_id":"SENS001","pm25":3}'],
    ["a payload that is not base64", '{"payload":"%%%","topic":"t","received_at":1}'],
    ["a receive time that is not epoch ms", '{"payload":"e30=","topic":"t","received_at":"yesterday"}'],
  ])("turns %s into a malformed_json rejection that keeps the body", (_name, body) => {
    const result = parseEnvelope(body, FALLBACK);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.rejection).toEqual({
      reason: "malformed_json",
      detail: expect.stringContaining("envelope"),
    });
    expect(new TextDecoder().decode(result.message.payload)).toBe(body);
    expect(result.message).toMatchObject({ topic: UNKNOWN_TOPIC, receivedAt: FALLBACK });
  });
});
