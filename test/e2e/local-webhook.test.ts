import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, query, reading, startTestPipeline, type TestPipeline, telemetry } from "./local-helpers.js";

const MINUTE = 60_000;

interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let running: TestPipeline | undefined;
const servers: Server[] = [];
const clients: mqtt.MqttClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  await running?.stop();
  running = undefined;
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A webhook receiver on a free loopback port that answers every POST with `status`. */
async function webhookReceiver(status: number): Promise<{ url: URL; deliveries: Delivery[] }> {
  const deliveries: Delivery[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      deliveries.push({ headers: request.headers, body });
      response.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`), deliveries };
}

/** A port nothing listens on: a webhook that is down. */
async function closedPortUrl(): Promise<URL> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return new URL(`http://127.0.0.1:${port}/alerts`);
}

async function sensorClient(url: string): Promise<mqtt.MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  clients.push(client);
  return client;
}

/** Publishes a reading far above the very-high PM2.5 threshold; resolves on its PUBACK. */
async function publishBreach(client: mqtt.MqttClient, at: number): Promise<void> {
  await client.publishAsync(telemetry("SENS003"), reading("SENS003", at, 240), { qos: 1 });
}

/** The deliveries of the PM2.5 notice (the startup roll-up may post completeness ones too). */
const pm25Deliveries = (deliveries: readonly Delivery[]): Delivery[] =>
  deliveries.filter((delivery) => delivery.body.includes('"ruleId":"pm25_reading_very_high"'));

const storedPm25 = (dbPath: string) =>
  query<{ pm25: number }>(dbPath, "SELECT pm25 FROM measurements WHERE sensor_id = 'SENS003'");

describe("kaikai start --webhook", () => {
  it("posts the alert a breaching reading opens to the webhook, as JSON with the notice's fields", async () => {
    const webhook = await webhookReceiver(204);
    running = await startTestPipeline({ webhook: webhook.url });
    const sensor = await sensorClient(running.pipeline.brokerUrl);
    const at = Date.now() - MINUTE;
    await publishBreach(sensor, at);

    const [delivery] = await eventually("the webhook delivery", () => {
      const posted = pm25Deliveries(webhook.deliveries);
      return posted.length > 0 ? posted : undefined;
    });
    expect(delivery?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(delivery?.body ?? "")).toEqual({
      sensorId: "SENS003",
      zone: expect.any(String),
      averaging: "single reading",
      source: expect.stringContaining("Instrument check"),
      ruleId: "pm25_reading_very_high",
      metric: "pm25",
      severity: expect.any(String),
      state: "opened",
      value: 240,
      threshold: expect.any(Number),
      at: new Date(at).toISOString(),
      openedAt: new Date(at).toISOString(),
    });
    expect(pm25Deliveries(webhook.deliveries)).toHaveLength(1);
  });

  it("stores and acknowledges the reading even when the webhook answers 500, and says the post failed", async () => {
    const webhook = await webhookReceiver(500);
    running = await startTestPipeline({ webhook: webhook.url });
    const sensor = await sensorClient(running.pipeline.brokerUrl);
    // The PUBACK comes back before the webhook's retries are over: they run in the background.
    await publishBreach(sensor, Date.now() - MINUTE);
    expect(storedPm25(running.dbPath)).toEqual([{ pm25: 240 }]);
    const { lines } = running;
    expect(lines.some((line) => / ALERT SENS003 pm25 /.test(line))).toBe(true);
    // Retried, then given up on with a line that says why.
    await eventually("the retries", () => (pm25Deliveries(webhook.deliveries).length >= 3 ? true : undefined));
    const failure = await eventually("the webhook failure line", () =>
      lines.find((line) => line.startsWith("webhook ")),
    );
    expect(failure).toContain("HTTP 500");
  });

  it("stores and acknowledges the reading when the webhook is down", async () => {
    running = await startTestPipeline({ webhook: await closedPortUrl() });
    const sensor = await sensorClient(running.pipeline.brokerUrl);
    await publishBreach(sensor, Date.now() - MINUTE);
    await publishBreach(sensor, Date.now() - MINUTE / 2);
    expect(storedPm25(running.dbPath)).toEqual([{ pm25: 240 }, { pm25: 240 }]);
    expect(running.lines.some((line) => / ALERT SENS003 pm25 /.test(line))).toBe(true);
  });
});
