import { readFileSync, writeFileSync } from "node:fs";
import mqtt, { type IClientOptions } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertSafeListen, type BrokerAuth, ConfigError, loadBrokerAuth } from "../../local/runtime/broker-config.js";
import { NO_FAULTS } from "../../local/simulator/faults.js";
import { hashForTest } from "../fixtures/broker-logins.js";
import { TestPki } from "../fixtures/pki.js";
import { publishOutcome, query, reading, startTestPipeline, type TestPipeline, telemetry } from "./local-helpers.js";

/**
 * The embedded broker as `kaikai start --listen <wider than loopback> --config FILE` sets it up:
 * the same config loading, safety check and broker, bound to 127.0.0.1 so that the test stays on
 * loopback (the interface only decides whether credentials are required, not how they are checked).
 */
const WIDE = "0.0.0.0";
const MINUTE = 60_000;
const PASSWORD = "correct horse battery";

const pki = new TestPki();
const file = (name: string): string => pki.path(name);

/** Writes a `--config` file and loads it as the CLI does, checking it allows a wide listen. */
function configure(name: string, broker: Record<string, unknown>): BrokerAuth {
  writeFileSync(file(name), JSON.stringify({ broker }));
  const auth = loadBrokerAuth(file(name));
  assertSafeListen(WIDE, auth);
  return auth;
}

beforeAll(() => {
  pki.certificateAuthority("fleet-ca");
  pki.certificateAuthority("other-ca");
  pki.issue("broker", { ca: "fleet-ca", extension: "subjectAltName=IP:127.0.0.1" });
  pki.issue("SENS001", { ca: "fleet-ca", extension: "extendedKeyUsage=clientAuth" });
  pki.issue("laptop", { ca: "fleet-ca", extension: "extendedKeyUsage=clientAuth" });
  pki.issue("intruder", { ca: "other-ca", extension: "extendedKeyUsage=clientAuth" });
});

afterAll(() => pki.remove());

let running: TestPipeline | undefined;
const clients: mqtt.MqttClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  await running?.stop();
  running = undefined;
});

/** Connects once, without retrying: resolves with the client, or rejects with why it was refused. */
async function connect(url: string, options: IClientOptions = {}): Promise<mqtt.MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once("connect", () => resolve(client));
    client.once("error", reject);
    client.once("close", () => reject(new Error("connection closed")));
  });
}

/** The QoS the broker granted a subscription: 128 when it refused it. */
const granted = (client: mqtt.MqttClient, filter: string): Promise<number | undefined> =>
  client.subscribeAsync(filter, { qos: 1 }).then(
    (grants) => grants[0]?.qos,
    (error: { packet?: { granted?: readonly number[] } }) => {
      if (error.packet?.granted === undefined) throw error;
      return error.packet.granted[0];
    },
  );

const storedFrom = (dbPath: string, sensorId: string) =>
  query<{ pm25: number }>(dbPath, "SELECT pm25 FROM measurements WHERE sensor_id = ?", sensorId);

describe("the embedded broker listening wider than loopback", () => {
  it("is refused without credentials in its config", () => {
    expect(() => assertSafeListen(WIDE, {})).toThrow("wider than loopback");
    // Server TLS alone leaves anonymous clients in.
    writeFileSync(
      file("server-tls-only.json"),
      JSON.stringify({ broker: { tls: { key: "broker.key.pem", cert: "broker.cert.pem" } } }),
    );
    expect(() => assertSafeListen(WIDE, loadBrokerAuth(file("server-tls-only.json")))).toThrow("wider than loopback");
  });

  it("with TLS client certificates: a certificate whose subject names a sensor publishes as it alone; other names and CAs are refused", async () => {
    const auth = configure("tls.json", { tls: { key: "broker.key.pem", cert: "broker.cert.pem", ca: "fleet-ca.pem" } });
    running = await startTestPipeline({ auth });
    const url = running.pipeline.brokerUrl;
    expect(url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const trust = { ca: readFileSync(file("fleet-ca.pem")) };

    const sensor = await connect(url, {
      ...trust,
      cert: readFileSync(file("SENS001.cert.pem")),
      key: readFileSync(file("SENS001.key.pem")),
    });
    await sensor.publishAsync(telemetry("SENS001"), reading("SENS001", Date.now() - MINUTE, 31), { qos: 1 });
    expect(storedFrom(running.dbPath, "SENS001")).toEqual([{ pm25: 31 }]);
    expect(await publishOutcome(sensor, telemetry("SENS002"), reading("SENS002", Date.now() - MINUTE, 999))).toBe(
      "refused",
    );
    expect(storedFrom(running.dbPath, "SENS002")).toEqual([]);

    // Signed by the fleet's CA, but naming no sensor and given no role: nobody.
    await expect(
      connect(url, {
        ...trust,
        cert: readFileSync(file("laptop.cert.pem")),
        key: readFileSync(file("laptop.key.pem")),
      }),
    ).rejects.toThrow(/Not authorized/i);

    // Refused in the TLS handshake (the client may see the alert or just the socket closing); the
    // gateway above, with the same trust, shows it is the missing or foreign certificate.
    await expect(connect(url, trust)).rejects.toThrow();
    await expect(
      connect(url, {
        ...trust,
        cert: readFileSync(file("intruder.cert.pem")),
        key: readFileSync(file("intruder.key.pem")),
      }),
    ).rejects.toThrow();
    expect(query(running.dbPath, "SELECT COUNT(*) AS n FROM measurements")).toEqual([{ n: 1 }]);
  });

  it("with a login per sensor: each publishes only as itself and subscribes only to its alerts; only an admin subscribes to #", async () => {
    const hash = await hashForTest(PASSWORD);
    const auth = configure("logins.json", {
      clients: [
        { username: "SENS001", password_hash: hash, sensor: "SENS001" },
        { username: "grafana", password_hash: hash, role: "observer" },
        { username: "ops", password_hash: hash, role: "admin" },
      ],
    });
    running = await startTestPipeline({ auth });
    const url = running.pipeline.brokerUrl;

    const sensor = await connect(url, { username: "SENS001", password: PASSWORD });
    await sensor.publishAsync(telemetry("SENS001"), reading("SENS001", Date.now() - MINUTE, 17), { qos: 1 });
    expect(storedFrom(running.dbPath, "SENS001")).toEqual([{ pm25: 17 }]);
    // SUBACK code 128: refused; the sensor's own alerts are granted.
    expect(await granted(sensor, "#")).toBe(128);
    expect(await granted(sensor, "kaikai/alerts/SENS002")).toBe(128);
    expect(await granted(sensor, "kaikai/alerts/SENS001")).toBe(1);
    // Publishing as another sensor closes the connection unacknowledged; nothing is stored.
    expect(await publishOutcome(sensor, telemetry("SENS002"), reading("SENS002", Date.now() - MINUTE, 999))).toBe(
      "refused",
    );
    expect(storedFrom(running.dbPath, "SENS002")).toEqual([]);

    const observer = await connect(url, { username: "grafana", password: PASSWORD });
    expect(await granted(observer, "kaikai/alerts/#")).toBe(1);
    expect(await granted(observer, "kaikai/aggregates/zones")).toBe(1);
    expect(await granted(observer, "kaikai/+/SENS001/telemetry")).toBe(128);
    expect(await granted(observer, "#")).toBe(128);
    expect(await publishOutcome(observer, telemetry("SENS003"), reading("SENS003", Date.now() - MINUTE, 5))).toBe(
      "refused",
    );
    expect(storedFrom(running.dbPath, "SENS003")).toEqual([]);

    const admin = await connect(url, { username: "ops", password: PASSWORD });
    expect(await granted(admin, "#")).toBe(1);

    await expect(connect(url)).rejects.toThrow(/Bad username or password/i);
    await expect(connect(url, { username: "SENS001", password: "wrong password" })).rejects.toThrow(
      /Bad username or password/i,
    );
    await expect(connect(url, { username: "someone", password: PASSWORD })).rejects.toThrow(
      /Bad username or password/i,
    );
  });
});

describe("the simulator of kaikai start behind a wide-listening broker", () => {
  it("logs in with a login of its own for this run, and its readings from every sensor are stored", async () => {
    const auth = configure("password-simulated.json", {
      clients: [{ username: "SENS001", password_hash: await hashForTest(PASSWORD), sensor: "SENS001" }],
    });
    running = await startTestPipeline({
      auth,
      simulate: true,
      simulator: {
        ratePerSecond: 20,
        backfillHours: 1,
        faults: NO_FAULTS,
      },
    });
    await running.pipeline.ready;
    expect(query(running.dbPath, "SELECT COUNT(DISTINCT sensor_id) AS n FROM measurements")).toEqual([{ n: 5 }]);
  });
});

describe("the simulator of kaikai start behind a TLS broker", () => {
  it("is refused up front, with the flag that avoids it, since it has no client certificate", async () => {
    const auth = configure("tls-simulated.json", {
      tls: { key: "broker.key.pem", cert: "broker.cert.pem", ca: "fleet-ca.pem" },
    });
    const refusal: unknown = await startTestPipeline({ auth, simulate: true }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ConfigError);
    expect(refusal).toHaveProperty("message", expect.stringContaining("add --no-simulate"));
  });
});
