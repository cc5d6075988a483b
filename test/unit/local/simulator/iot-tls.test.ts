import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer, type TLSSocket } from "node:tls";
import { Aedes } from "aedes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REGISTRY, SENSORS } from "../../../../lib/config/sensors.js";
import { parseSimulateArgs } from "../../../../local/simulator/command.js";
import { NO_FAULTS } from "../../../../local/simulator/faults.js";
import { BrokerUnreachableError } from "../../../../local/simulator/publisher.js";
import { startSimulator } from "../../../../local/simulator/simulator.js";
import { TestPki } from "../../../fixtures/pki.js";

/**
 * IoT Core stands in as a TLS broker that, like IoT Core, wants a client certificate signed by its
 * CA and lets a client connect only under the name in its certificate (the thing name).
 */
const things = SENSORS.slice(0, 2).map((sensor) => sensor.sensorId);
const pki = new TestPki();
const file = (name: string): string => pki.path(name);

beforeAll(() => {
  pki.certificateAuthority("ca");
  pki.issue("broker", { ca: "ca", subject: "/CN=127.0.0.1", extension: "subjectAltName=IP:127.0.0.1" });
  for (const thing of things) pki.issue(thing, { ca: "ca", extension: "extendedKeyUsage=clientAuth" });
});

afterAll(() => pki.remove());

async function startTlsBroker() {
  const connectedAs: string[] = [];
  const received: string[] = [];
  const aedes = await Aedes.createBroker({
    authenticate: (client, _username, _password, done) => {
      const certificate = (client.conn as TLSSocket).getPeerCertificate();
      const ok = certificate.subject?.CN === client.id;
      if (ok) connectedAs.push(client.id);
      done(ok ? null : Object.assign(new Error("not your thing"), { returnCode: 5 as const }), ok);
    },
    authorizePublish: (client, packet, callback) => {
      const ownTopic = packet.topic === `kaikai/sensors/${client?.id}/telemetry`;
      if (ownTopic) received.push(packet.topic);
      callback(ownTopic ? null : new Error("not your topic"));
    },
  });
  const server = createServer(
    {
      key: readFileSync(file("broker.key.pem")),
      cert: readFileSync(file("broker.cert.pem")),
      ca: readFileSync(file("ca.pem")),
      requestCert: true,
      rejectUnauthorized: true,
    },
    aedes.handle,
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { endpoint: `127.0.0.1:${port}`, connectedAs, received, close };
}

describe("simulating towards IoT Core", () => {
  it("connects each sensor as its own thing with its certificate and publishes on its own topic", async () => {
    const broker = await startTlsBroker();
    try {
      const options = parseSimulateArgs([
        "--iot-endpoint",
        broker.endpoint,
        "--cert",
        file("{id}.cert.pem"),
        "--key",
        file("{id}.key.pem"),
        "--ca",
        file("ca.pem"),
        "--sensors",
        String(things.length),
        "--backfill-hours",
        "0",
        "--count",
        "20",
        "--rate",
        "200",
      ]);
      if (options === null) throw new Error("no options");
      const final = await (await startSimulator(options)).done;
      expect(final).toMatchObject({ sent: 20, acked: 20, failed: 0 });
      expect(broker.connectedAs.sort()).toEqual(things);
      expect(broker.received).toHaveLength(20);
    } finally {
      await broker.close();
    }
  });

  it("fails with one clear error when the broker refuses the certificate", async () => {
    const broker = await startTlsBroker();
    try {
      const simulator = startSimulator({
        target: {
          kind: "iot",
          endpoint: broker.endpoint,
          certFile: file("SENS002.cert.pem"),
          keyFile: file("SENS002.key.pem"),
          caFile: file("ca.pem"),
        },
        sensors: SENSORS.slice(0, 1),
        registry: REGISTRY,
        ratePerSecond: 1,
        faults: NO_FAULTS,
        backfillHours: 0,
        seed: 1,
        connectTimeoutMs: 3000,
      });
      await expect(simulator).rejects.toThrow(BrokerUnreachableError);
      await expect(simulator).rejects.toThrow(/as SENS001/);
    } finally {
      await broker.close();
    }
  });
});
