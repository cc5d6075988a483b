import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alertTopic, telemetryTopic } from "../../../../lambdas/core/topics.js";
import { makeIdentities, mayPublish, maySubscribe } from "../../../../local/runtime/broker-identity.js";
import { aLogin } from "../../../fixtures/broker-logins.js";

const sensorId = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);

describe("what each broker identity may do", () => {
  it("lets a sensor publish only on its own telemetry topic and follow only its own alerts", () => {
    fc.assert(
      fc.property(sensorId, sensorId, (self, other) => {
        const role = { kind: "sensor", sensorId: self } as const;
        expect(mayPublish(role, telemetryTopic(self))).toBe(true);
        expect(mayPublish(role, telemetryTopic(other))).toBe(self === other);
        expect(maySubscribe(role, alertTopic(self))).toBe(true);
        expect(maySubscribe(role, alertTopic(other))).toBe(self === other);
        for (const filter of ["#", "kaikai/#", "kaikai/alerts/+", "kaikai/sensors/+/telemetry", "$SYS/#"]) {
          expect(maySubscribe(role, filter)).toBe(false);
        }
      }),
    );
  });

  it("lets an observer follow alerts and aggregates but never publish or see telemetry", () => {
    const observer = { kind: "observer" } as const;
    fc.assert(
      fc.property(sensorId, (id) => {
        expect(mayPublish(observer, telemetryTopic(id))).toBe(false);
      }),
    );
    for (const filter of ["kaikai/alerts/#", "kaikai/alerts/SENS001", "kaikai/aggregates/+"]) {
      expect(maySubscribe(observer, filter)).toBe(true);
    }
    for (const filter of ["#", "+/#", "kaikai/#", "kaikai/+/SENS001/telemetry", "kaikai/sensors/#", "$SYS/#"]) {
      expect(maySubscribe(observer, filter)).toBe(false);
    }
  });

  it("lets only an admin subscribe to #", () => {
    expect(maySubscribe({ kind: "admin" }, "#")).toBe(true);
    expect(mayPublish({ kind: "admin" }, telemetryTopic("SENS004"))).toBe(true);
  });
});

describe("who a login or a certificate is", () => {
  it("knows a login by its password, and a certificate by a sensor's name or a configured role", async () => {
    const identities = makeIdentities({
      clients: [await aLogin("SENS001", "correct horse battery staple", { kind: "sensor", sensorId: "SENS001" })],
      certificateRoles: new Map([["ops-laptop", "admin"]]),
      isSensor: (id) => id === "SENS001" || id === "SENS002",
    });
    expect(await identities.byPassword("SENS001", "correct horse battery staple")).toEqual({
      kind: "sensor",
      sensorId: "SENS001",
    });
    // Twice: the second answer comes from the remembered digest, and must agree.
    expect(await identities.byPassword("SENS001", "correct horse battery staple")).toBeDefined();
    expect(await identities.byPassword("SENS001", "correct horse battery")).toBeUndefined();
    expect(await identities.byPassword("SENS002", "correct horse battery staple")).toBeUndefined();
    expect(identities.byCertificate("SENS002")).toEqual({ kind: "sensor", sensorId: "SENS002" });
    expect(identities.byCertificate("ops-laptop")).toEqual({ kind: "admin" });
    expect(identities.byCertificate("laptop")).toBeUndefined();
  });
});
