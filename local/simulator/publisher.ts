/**
 * Publishes telemetry over MQTT at QoS 1, to a local broker or to AWS IoT Core, and counts what
 * the broker acknowledged (PUBACK). The number of unacknowledged messages is bounded, so a slow
 * broker slows the publisher down instead of filling its memory; mqtt.js reconnects on its own
 * and resends what was not acknowledged.
 */
import { readFileSync } from "node:fs";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";

export type PublishTarget =
  | { readonly kind: "broker"; readonly url: string }
  | {
      readonly kind: "iot";
      /** The account's IoT data endpoint, `xxxx-ats.iot.<region>.amazonaws.com`, with `:port` if not 8883. */
      readonly endpoint: string;
      /** PEM files; `{id}` in a path is replaced by the sensor id, for a fleet of things. */
      readonly certFile: string;
      readonly keyFile: string;
      readonly caFile: string;
    };

export interface PublisherOptions {
  readonly target: PublishTarget;
  /**
   * Sensors that will publish. IoT Core lets a thing connect only as itself and publish only on
   * its own topic, so each gets its own connection there; a local broker takes them all on one.
   */
  readonly sensorIds: readonly string[];
  readonly maxInFlight: number;
  readonly connectTimeoutMs: number;
}

export interface PublishCounts {
  readonly sent: number;
  readonly acked: number;
  readonly failed: number;
  readonly inFlight: number;
}

export interface Publisher {
  /**
   * Hands a message to the client, after waiting for room among the unacknowledged ones.
   * Resolves false, sending nothing, once the publisher is closed.
   */
  publish(topic: string, payload: Buffer): Promise<boolean>;
  /** Resolves once every message sent so far is acknowledged or failed. */
  flush(): Promise<void>;
  /**
   * Waits up to `graceMs` for acknowledgements, then disconnects; what is still unacknowledged
   * then counts as failed. Safe to call more than once.
   */
  close(graceMs: number): Promise<void>;
  counts(): PublishCounts;
}

export class BrokerUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BrokerUnreachableError";
  }
}

/** The URL as it may be printed: without the password it may carry. */
export function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password === "") return url;
  parsed.password = "***";
  return parsed.href;
}

const IOT_MQTT_PORT = 8883;
export const DEFAULT_BROKER_URL = "mqtt://127.0.0.1:1883";

const sensorIdOfTopic = (topic: string): string | undefined => topic.split("/")[2];

function connect(url: string, options: IClientOptions, timeoutMs: number): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 1000, connectTimeout: timeoutMs, ...options });
  // Errors after the first connection are transient (the broker restarts, the network drops):
  // mqtt.js reconnects. Errors of a client given up on (its connack timer) have no one to tell.
  client.on("error", () => undefined);
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => fail(error.message);
    const onConnect = (): void => {
      clearTimeout(timer);
      client.off("error", onError);
      resolve(client);
    };
    // Only our own listeners go: mqtt.js's own 'close' listener is what clears its connack timer.
    const fail = (reason: string): void => {
      clearTimeout(timer);
      client.off("error", onError);
      client.off("connect", onConnect);
      client.end(true);
      reject(new BrokerUnreachableError(`cannot connect to ${withoutPassword(url)} as ${options.clientId}: ${reason}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    client.once("error", onError);
    client.once("connect", onConnect);
  });
}

function readPem(path: string, sensorId: string): Buffer {
  return readFileSync(path.replaceAll("{id}", sensorId));
}

interface Connections {
  readonly clientFor: (topic: string) => MqttClient | undefined;
  readonly all: readonly MqttClient[];
}

async function connectClients(options: PublisherOptions): Promise<Connections> {
  const { target, connectTimeoutMs } = options;
  if (target.kind === "broker") {
    const clientId = `kaikai-simulator-${process.pid}-${Date.now().toString(36)}`;
    const client = await connect(target.url, { clientId, clean: true }, connectTimeoutMs);
    return { clientFor: () => client, all: [client] };
  }
  const url = `mqtts://${/:\d+$/.test(target.endpoint) ? target.endpoint : `${target.endpoint}:${IOT_MQTT_PORT}`}`;
  const clients = new Map<string, MqttClient>();
  try {
    for (const sensorId of options.sensorIds) {
      const tls = {
        cert: readPem(target.certFile, sensorId),
        key: readPem(target.keyFile, sensorId),
        ca: readPem(target.caFile, sensorId),
      };
      clients.set(sensorId, await connect(url, { clientId: sensorId, clean: true, ...tls }, connectTimeoutMs));
    }
  } catch (error) {
    for (const client of clients.values()) client.end(true);
    throw error;
  }
  return { clientFor: (topic) => clients.get(sensorIdOfTopic(topic) ?? ""), all: [...clients.values()] };
}

export async function openPublisher(options: PublisherOptions): Promise<Publisher> {
  const { clientFor, all } = await connectClients(options);
  let sent = 0;
  let acked = 0;
  let failed = 0;
  let closed = false;
  let closing: Promise<void> | undefined;
  const waitingForRoom: (() => void)[] = [];
  const waitingForEmpty: (() => void)[] = [];
  const inFlight = (): number => sent - acked - failed;
  const wake = (waiters: (() => void)[]): void => {
    for (const resolve of waiters.splice(0)) resolve();
  };

  // mqtt.js calls back with no error, or null, on PUBACK.
  const settle = (error?: Error | null): void => {
    if (closed) return;
    if (error) failed++;
    else acked++;
    if (inFlight() < options.maxInFlight) waitingForRoom.shift()?.();
    if (inFlight() === 0) wake(waitingForEmpty);
  };

  const flush = (): Promise<void> =>
    inFlight() === 0 ? Promise.resolve() : new Promise((resolve) => waitingForEmpty.push(resolve));

  const shutDown = async (graceMs: number): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([flush(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    closed = true;
    failed += inFlight();
    wake(waitingForRoom);
    wake(waitingForEmpty);
    await Promise.all(all.map((client) => client.endAsync(true)));
  };

  return {
    async publish(topic, payload) {
      const client = clientFor(topic);
      if (client === undefined) throw new Error(`no connection may publish on ${topic}`);
      while (!closed && inFlight() >= options.maxInFlight) {
        await new Promise<void>((resolve) => waitingForRoom.push(resolve));
      }
      if (closed) return false;
      sent++;
      client.publish(topic, payload, { qos: 1 }, settle);
      return true;
    },
    flush,
    close(graceMs) {
      closing ??= shutDown(graceMs);
      return closing;
    },
    counts: () => ({ sent, acked, failed, inFlight: inFlight() }),
  };
}
