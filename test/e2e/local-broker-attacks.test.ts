/**
 * The embedded broker under a hostile client's publishes: every acknowledged publish is stored or
 * quarantined, and whatever the contract does not give a client is refused before it is
 * acknowledged.
 */
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { connect, type Socket } from "node:net";
import mqtt from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_QUARANTINED_PAYLOAD_BYTES } from "../../lambdas/use-cases/ingest.js";
import { DRAIN_TIMEOUT_MS } from "../../local/runtime/embedded-broker.js";
import { publishOutcome, query, reading, startTestPipeline, type TestPipeline, telemetry } from "./local-helpers.js";

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

/** Publishes once from a new client, as publishOutcome tells it. */
async function publishOnce(
  topic: string,
  payload: string,
  options: Partial<mqtt.IClientPublishOptions> = {},
): Promise<"acknowledged" | "refused"> {
  return publishOutcome(await client(), topic, payload, options);
}

const walSize = (dbPath: string) => (existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size : 0);

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

  it("refuses a 10 MiB publish from its first bytes, unacknowledged, storing nothing", async () => {
    expect(await publishOnce(telemetry("SENS001"), "x".repeat(10 * 1024 * 1024))).toBe("refused");
    expect({ stored: rows("measurements"), quarantined: rows("quarantine") }).toEqual({ stored: 0, quarantined: 0 });
  });

  it("quarantines a 100 KiB publish as its first 64 KiB, with its size and hash, growing the database by little", async () => {
    const huge = Buffer.alloc(100 * 1024, "x");
    const before = statSync(running.dbPath).size + walSize(running.dbPath);
    expect(await publishOnce(telemetry("SENS001"), huge.toString())).toBe("acknowledged");

    const [entry] = query<{ reason: string; detail: string; payload: string }>(
      running.dbPath,
      "SELECT reason, detail, payload FROM quarantine",
    );
    expect(entry?.reason).toBe("payload_too_large");
    expect(entry?.payload.length).toBe(MAX_QUARANTINED_PAYLOAD_BYTES);
    const sha256 = createHash("sha256").update(huge).digest("hex");
    expect(entry?.detail).toContain(
      `kept the first ${MAX_QUARANTINED_PAYLOAD_BYTES} of ${huge.length} bytes, sha256 ${sha256}`,
    );
    expect(statSync(running.dbPath).size + walSize(running.dbPath) - before).toBeLessThan(1024 * 1024);
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

/** MQTT 3.1.1 bytes by hand: a client that subscribes and then never reads needs no client library. */
function connectPacket(clientId: string): Buffer {
  const id = Buffer.from(clientId);
  const body = Buffer.concat([
    Buffer.from([0x00, 0x04, ...Buffer.from("MQTT"), 0x04, 0x02, 0x00, 0x3c]),
    Buffer.from([id.length >> 8, id.length & 0xff]),
    id,
  ]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}
const SUBSCRIBE_ALL = Buffer.from([0x82, 0x06, 0x00, 0x01, 0x00, 0x01, ...Buffer.from("#"), 0x00]);
const SUBACK = 0x90;

/** Connects, subscribes to `#`, waits for the SUBACK, then stops reading its socket for good. */
async function neverReadingSubscriber(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.write(Buffer.concat([connectPacket("kaikai-never-reads"), SUBSCRIBE_ALL]));
    });
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // CONNACK is 4 bytes; the SUBACK follows it.
      if (received.length >= 5 && received[4] === SUBACK) {
        socket.off("data", onData);
        socket.pause();
        resolve();
      }
    };
    socket.on("data", onData);
  });
  return socket;
}

describe("the embedded broker, with a subscriber that never reads", () => {
  it("keeps acknowledging another sensor within 2 seconds, and drops the subscriber instead of buffering for it", async () => {
    const stalled = await neverReadingSubscriber(running.pipeline.brokerUrl);
    stalled.on("error", () => undefined);
    const dropped = new Promise<void>((resolve) => stalled.once("close", () => resolve()));
    const within = <T>(ms: number, what: string, promise: Promise<T>) =>
      Promise.race([
        promise,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} after ${ms} ms`)), ms)),
      ]);
    try {
      const sensor = await client();
      // Oversized payloads, quarantined and forwarded to the subscriber, fill its socket; then a
      // reading a few times a second for three drain timeouts, each acknowledged within 2 s.
      const junk = "x".repeat(100 * 1024);
      for (let i = 0; i < 60; i++) {
        await within(2000, `junk ${i} unacknowledged`, sensor.publishAsync(telemetry("SENS001"), junk, { qos: 1 }));
      }
      const from = Date.now() - 60 * 60_000;
      const loadUntil = Date.now() + 3 * DRAIN_TIMEOUT_MS;
      for (let i = 0; Date.now() < loadUntil; i++) {
        const payload = reading("SENS002", from + i * 1000, 10);
        await within(
          2000,
          `reading ${i} unacknowledged`,
          sensor.publishAsync(telemetry("SENS002"), payload, { qos: 1 }),
        );
      }
      // Reading again, it finds what was sent before the broker dropped it, then the end.
      stalled.on("data", () => undefined);
      stalled.resume();
      await within(10_000, "the subscriber is still connected", dropped);
    } finally {
      stalled.destroy();
    }
  });
});
