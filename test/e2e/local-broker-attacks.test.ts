/**
 * The embedded broker under a hostile client's publishes: every acknowledged publish is stored or
 * quarantined, and whatever the contract does not give a client is refused before it is
 * acknowledged.
 */
import mqtt from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { query, reading, startTestPipeline, type TestPipeline, telemetry } from "./local-helpers.js";

let running: TestPipeline;
const clients: mqtt.MqttClient[] = [];

beforeEach(async () => {
  running = await startTestPipeline();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  await running.stop();
});

async function client(options: mqtt.IClientOptions = {}): Promise<mqtt.MqttClient> {
  const connected = await mqtt.connectAsync(running.pipeline.brokerUrl, { reconnectPeriod: 0, ...options });
  clients.push(connected);
  return connected;
}

/** Publishes at QoS 1 and says whether the broker acknowledged it or closed the connection instead. */
async function publishOnce(
  topic: string,
  payload: string,
  options: Partial<mqtt.IClientPublishOptions> = {},
): Promise<"acknowledged" | "refused"> {
  const publisher = await client();
  const refused = new Promise<"refused">((resolve) => publisher.once("close", () => resolve("refused")));
  const acknowledged = new Promise<"acknowledged">((resolve) =>
    publisher.publish(topic, payload, { qos: 1, ...options }, (error) => {
      if (error === undefined || error === null) resolve("acknowledged");
    }),
  );
  return Promise.race([acknowledged, refused]);
}

const rows = (table: "measurements" | "quarantine") =>
  query<{ n: number }>(running.dbPath, `SELECT COUNT(*) AS n FROM ${table}`)[0]?.n ?? 0;

describe("the embedded broker, to a client publishing outside the contract", () => {
  it("refuses every topic but a sensor's telemetry topic without acknowledging it, and stores nothing from them", async () => {
    const at = Date.now() - 1000;
    const payload = reading("SENS001", at, 9.5);
    const outside = [
      "kaikai/sensors//telemetry",
      "kaikai/sensors/SENS001/telemetry/extra",
      "kaikai/sensors/SENS001/Telemetry",
      "kaikai/sensors/SENS001",
      "kaikai/alerts/SENS001",
      "kaikai/aggregates/zones",
      "$SYS/broker/uptime",
      "junk/retained",
    ];
    const outcomes = await Promise.all(outside.map((topic) => publishOnce(topic, payload, { retain: true })));
    expect(Object.fromEntries(outside.map((topic, index) => [topic, outcomes[index]]))).toEqual(
      Object.fromEntries(outside.map((topic) => [topic, "refused"])),
    );
    expect({ stored: rows("measurements"), quarantined: rows("quarantine") }).toEqual({ stored: 0, quarantined: 0 });

    expect(await publishOnce(telemetry("SENS001"), payload)).toBe("acknowledged");
    expect(rows("measurements")).toBe(1);
  });

  it("keeps the client a forged $SYS new-clients publish names connected", async () => {
    const victim = await client({ clientId: "kaikai-victim" });
    let victimClosed = false;
    victim.on("close", () => {
      victimClosed = true;
    });
    expect(await publishOnce("$SYS/forged/new/clients", "kaikai-victim")).toBe("refused");

    await victim.publishAsync(telemetry("SENS002"), reading("SENS002", Date.now() - 1000, 11), { qos: 1 });
    expect(victimClosed).toBe(false);
    expect(rows("measurements")).toBe(1);
  });

  it("stores a retained telemetry publish but does not keep it for later subscribers", async () => {
    const at = Date.now() - 10_000;
    expect(await publishOnce(telemetry("SENS003"), reading("SENS003", at, 20), { retain: true })).toBe("acknowledged");

    const subscriber = await client();
    const first = new Promise<string>((resolve) =>
      subscriber.once("message", (_topic, payload) => resolve(String(payload))),
    );
    await subscriber.subscribeAsync(telemetry("SENS003"), { qos: 1 });
    const later = reading("SENS003", at + 60_000, 21);
    expect(await publishOnce(telemetry("SENS003"), later)).toBe("acknowledged");
    // A retained message would have come first, on subscribing.
    expect(await first).toBe(later);
    expect(rows("measurements")).toBe(2);
  });
});
