import { createServer, type Server } from "node:net";
import { Aedes, type AuthorizePublishHandler } from "aedes";
import { afterEach, describe, expect, it, vi } from "vitest";
import { REGISTRY, SENSORS } from "../../../../lib/config/sensors.js";
import { NO_FAULTS } from "../../../../local/simulator/faults.js";
import { BrokerUnreachableError, openPublisher } from "../../../../local/simulator/publisher.js";
import { startSimulator } from "../../../../local/simulator/simulator.js";

interface TestBroker {
  readonly url: string;
  readonly received: { topic: string; payload: Buffer }[];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A bare aedes broker on a loopback port (a free one by default); `authorizePublish` decides when a PUBACK goes out. */
async function startBroker(authorizePublish?: AuthorizePublishHandler, port = 0): Promise<TestBroker> {
  const received: { topic: string; payload: Buffer }[] = [];
  const aedes = await Aedes.createBroker({
    authorizePublish: (client, packet, callback) => {
      if (client !== null) received.push({ topic: packet.topic, payload: Buffer.from(packet.payload) });
      if (authorizePublish === undefined) callback(null);
      else authorizePublish(client, packet, callback);
    },
  });
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  const broker = {
    url: `mqtt://127.0.0.1:${address.port}`,
    received,
    close: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  cleanups.push(broker.close);
  return broker;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

const options = (url: string, maxInFlight = 100) => ({
  target: { kind: "broker", url } as const,
  sensorIds: ["SENS001"],
  maxInFlight,
  connectTimeoutMs: 5000,
});

describe("publisher", () => {
  it("publishes at QoS 1, counts the PUBACKs and never has more unacknowledged than its bound", async () => {
    let held = 0;
    const broker = await startBroker((_client, _packet, callback) => {
      held++;
      setTimeout(() => callback(null), held % 7);
    });
    const publisher = await openPublisher(options(broker.url, 20));
    let mostInFlight = 0;
    for (let index = 0; index < 500; index++) {
      await publisher.publish("kaikai/sensors/SENS001/telemetry", Buffer.from(`{"n":${index}}`));
      mostInFlight = Math.max(mostInFlight, publisher.counts().inFlight);
    }
    await publisher.flush();
    expect(publisher.counts()).toEqual({ sent: 500, acked: 500, failed: 0, inFlight: 0 });
    expect(mostInFlight).toBeLessThanOrEqual(20);
    expect(mostInFlight).toBeGreaterThan(1);
    expect(broker.received).toHaveLength(500);
    await publisher.close(1000);
  });

  it("reconnects after the broker restarts and resends what was not acknowledged", async () => {
    const first = await startBroker((_client, _packet, callback) => setTimeout(() => callback(null), 5));
    const port = Number(new URL(first.url).port);
    const publisher = await openPublisher(options(first.url, 50));
    const topic = "kaikai/sensors/SENS001/telemetry";
    for (let index = 0; index < 100; index++) await publisher.publish(topic, Buffer.from(`{"n":${index}}`));
    await first.close();
    const second = await startBroker(undefined, port);
    for (let index = 100; index < 200; index++) await publisher.publish(topic, Buffer.from(`{"n":${index}}`));
    await publisher.flush();
    expect(publisher.counts()).toMatchObject({ sent: 200, acked: 200, failed: 0 });
    const delivered = new Set([...first.received, ...second.received].map(({ payload }) => payload.toString()));
    expect(delivered.size).toBe(200);
    await publisher.close(1000);
  });

  it("fails with one clear error when the broker cannot be reached", async () => {
    const url = `mqtt://127.0.0.1:${await freePort()}`;
    const opening = openPublisher(options(url));
    await expect(opening).rejects.toThrow(BrokerUnreachableError);
    await expect(opening).rejects.toThrow(`cannot connect to ${url}`);
  });

  it("gives up waiting for acknowledgements at close, counting them as failed", async () => {
    const broker = await startBroker(() => undefined);
    const publisher = await openPublisher(options(broker.url, 5));
    for (let index = 0; index < 5; index++) {
      await publisher.publish("kaikai/sensors/SENS001/telemetry", Buffer.from("{}"));
    }
    const blocked = publisher.publish("kaikai/sensors/SENS001/telemetry", Buffer.from("{}"));
    await publisher.close(200);
    await expect(blocked).resolves.toBe(false);
    expect(publisher.counts()).toMatchObject({ sent: 5, acked: 0, failed: 5, inFlight: 0 });
  });
});

describe("simulator run", () => {
  it("backfills the last hours, goes live, and has every message acknowledged", async () => {
    const broker = await startBroker();
    const sensors = SENSORS.slice(0, 3);
    const simulator = await startSimulator({
      target: { kind: "broker", url: broker.url },
      sensors,
      registry: REGISTRY,
      ratePerSecond: 400,
      faults: { ...NO_FAULTS, duplicate: 0.1 },
      backfillHours: 2,
      count: 40,
      seed: 5,
    });
    const expectedBackfill = sensors.reduce((sum, sensor) => sum + (2 * 3600) / sensor.reportingIntervalSeconds, 0);
    await simulator.backfillDone;
    const atBackfillEnd = simulator.counters();
    expect(atBackfillEnd).toMatchObject({ backfilled: expectedBackfill, live: 0, inFlight: 0 });
    expect(atBackfillEnd.acked).toBe(expectedBackfill + atBackfillEnd.faults.duplicate);
    const final = await simulator.done;
    expect(final.backfilled).toBe(expectedBackfill);
    expect(final.live).toBe(40);
    expect(final.sent).toBe(expectedBackfill + 40 + final.faults.duplicate);
    expect(final.faults.duplicate).toBeGreaterThan(0);
    expect(final).toMatchObject({ acked: final.sent, failed: 0, inFlight: 0 });
    expect(broker.received).toHaveLength(final.sent);
    const times = broker.received.map(({ payload }) => Date.parse(JSON.parse(payload.toString()).timestamp));
    const now = Date.now();
    expect(Math.min(...times)).toBeGreaterThan(now - 2 * 3_600_000 - 60_000);
    expect(Math.max(...times)).toBeLessThanOrEqual(now);
  });

  it("stops on request, even while the broker withholds acknowledgements", async () => {
    const broker = await startBroker(() => undefined);
    const simulator = await startSimulator({
      target: { kind: "broker", url: broker.url },
      sensors: SENSORS,
      registry: REGISTRY,
      ratePerSecond: 100,
      faults: NO_FAULTS,
      backfillHours: 1,
      seed: 1,
      maxInFlight: 10,
      stopGraceMs: 200,
    });
    // The window is full once the broker holds maxInFlight publishes without acknowledging any.
    await vi.waitFor(() => expect(broker.received).toHaveLength(10), { timeout: 10_000, interval: 10 });
    const final = await simulator.stop();
    expect(final).toMatchObject({ sent: 10, acked: 0, failed: 10, inFlight: 0 });
  });
});
