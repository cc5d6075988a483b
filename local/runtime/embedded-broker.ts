import { createServer, type Socket } from "node:net";
import { createServer as createTlsServer, TLSSocket } from "node:tls";
import { Aedes, type AuthenticateError, type Client } from "aedes";
import type { InboundMessage } from "../../lambdas/core/reading.js";
import { publishRefusal } from "../../lambdas/core/topics.js";
import type { BrokerAuth } from "./broker-config.js";
import { ADMIN, type BrokerRole, describeRole, type Identities, mayPublish, maySubscribe } from "./broker-identity.js";
import { candidatePorts, listenOnFirstFree } from "./listen.js";
import type { MqttTransport, TelemetryIngest } from "./mqtt-transport.js";
import { MAX_PACKET_BYTES, packetSizeGuard } from "./packet-size.js";

const DEFAULT_MQTT_PORT = 1883;
/**
 * A client whose socket stays full this long is dropped. Until then aedes keeps everything
 * published for it in memory (22 MB after a hundred 256 KB publishes to a `#` subscriber that
 * never reads, measured here): a second, not aedes's default minute, bounds that.
 */
export const DRAIN_TIMEOUT_MS = 1000;

export interface EmbeddedBrokerOptions {
  readonly host: string;
  /** A fixed port (0: any free one); undefined: 1883, or the next free one after it. */
  readonly port?: number;
  /** Whether clients need a login or a certificate (and which TLS to speak). */
  readonly auth: BrokerAuth;
  /** Who each login or certificate is (built from the same auth). */
  readonly identities: Identities;
}

export interface EmbeddedBroker extends MqttTransport {
  readonly host: string;
}

function badCredentials(): AuthenticateError {
  return Object.assign(new Error("bad username or password"), { returnCode: 4 as const });
}

function lockedOut(): AuthenticateError {
  return Object.assign(new Error("too many failed logins from this address; try later"), { returnCode: 5 as const });
}

function notAuthorized(why: string): AuthenticateError {
  return Object.assign(new Error(why), { returnCode: 5 as const });
}

/** The subject common name of the client's certificate, when it connected over TLS with one. */
function certificateName(client: Client): string | undefined {
  const socket = client.conn;
  if (!(socket instanceof TLSSocket)) return undefined;
  const subject = socket.getPeerCertificate().subject as Record<string, string | string[]> | undefined;
  const name = subject?.CN;
  return typeof name === "string" ? name : undefined;
}

/**
 * Failed logins an address may make before it is locked out, and for how long after its last
 * failure: a guesser gets five tries a minute instead of the hundreds a second a loop would make.
 * The lockout is per address, so a sensor behind the same NAT as a guesser waits it out too.
 */
export const LOGIN_THROTTLE = { maxFailures: 5, lockoutMs: 60_000 } as const;

/** Failed logins per remote address, forgotten once its lockout has passed. */
function loginThrottle() {
  const failures = new Map<string, { count: number; lastAt: number }>();
  const current = (address: string) => {
    const entry = failures.get(address);
    if (entry !== undefined && Date.now() - entry.lastAt > LOGIN_THROTTLE.lockoutMs) failures.delete(address);
    return failures.get(address);
  };
  return {
    isLockedOut: (address: string) => (current(address)?.count ?? 0) >= LOGIN_THROTTLE.maxFailures,
    failed(address: string) {
      failures.set(address, { count: (current(address)?.count ?? 0) + 1, lastAt: Date.now() });
    },
    succeeded: (address: string) => failures.delete(address),
  };
}

/**
 * Drops a connection at the first chunk that declares a packet over MAX_PACKET_BYTES, before the
 * MQTT parser buffers the rest of it. Listening after aedes does, the 'data' events come as aedes
 * reads each chunk, and aedes keeps control of the flow.
 */
function refuseOversizedPackets(socket: Socket): void {
  const oversized = packetSizeGuard(MAX_PACKET_BYTES);
  socket.on("data", (chunk: Buffer) => {
    if (oversized(chunk) !== undefined) socket.destroy();
  });
}

/**
 * The broker, built but not yet listening: the pipeline can publish through it from the start,
 * and it takes connections once `start` gives it the ingest. Clients may publish only telemetry
 * (core/topics.ts publishRefusal); every telemetry publish is handed to that ingest; the sensor
 * gets its PUBACK only when it resolves, and is disconnected without one (so it sends again) when
 * it rejects.
 */
export async function createEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { auth } = options;
  let ingest: TelemetryIngest | undefined;
  const throttle = loginThrottle();
  const passwordsRequired = auth.clients !== undefined || auth.tls?.ca !== undefined;
  const { identities } = options;
  const roles = new WeakMap<Client, BrokerRole>();
  const aedes = await Aedes.createBroker({
    drainTimeout: DRAIN_TIMEOUT_MS,
    authenticate: (client, username, password, done) => {
      const byCertificate = auth.tls?.ca === undefined ? undefined : certificateName(client);
      if (byCertificate !== undefined) {
        const role = identities.byCertificate(byCertificate);
        if (role === undefined)
          return done(notAuthorized(`no identity for the certificate of ${byCertificate}`), false);
        roles.set(client, role);
        return done(null, true);
      }
      if (!passwordsRequired) {
        roles.set(client, ADMIN);
        return done(null, true);
      }
      const address = (client.conn as { remoteAddress?: string }).remoteAddress ?? "unknown";
      if (throttle.isLockedOut(address)) return done(lockedOut(), false);
      if (username === undefined || password === undefined) {
        throttle.failed(address);
        return done(badCredentials(), false);
      }
      identities.byPassword(username, password.toString("utf8")).then(
        (role) => {
          if (role === undefined) {
            throttle.failed(address);
            return done(badCredentials(), false);
          }
          throttle.succeeded(address);
          roles.set(client, role);
          return done(null, true);
        },
        (error: unknown) => done(notAuthorized(error instanceof Error ? error.message : String(error)), false),
      );
    },
    authorizeSubscribe: (client, subscription, callback) => {
      const role = roles.get(client);
      // A refused filter gets a failure code in the SUBACK; the others of the packet still hold.
      if (role === undefined || !maySubscribe(role, subscription.topic)) return callback(null, null);
      return callback(null, subscription);
    },
    authorizePublish: (client, packet, callback) => {
      if (client === null) return callback(null);
      // A refusal closes the connection without an acknowledgement (MQTT 3.1.1 has no reason code).
      const refusal = publishRefusal(packet.topic);
      if (refusal !== undefined) return callback(new Error(refusal));
      const role = roles.get(client);
      if (role === undefined || !mayPublish(role, packet.topic)) {
        return callback(
          new Error(`${role === undefined ? "nobody" : describeRole(role)} may not publish on ${packet.topic}`),
        );
      }
      if (ingest === undefined) return callback(new Error("the pipeline is not ingesting yet"));
      // Telemetry is stored, not kept by the broker for later subscribers.
      packet.retain = false;
      const message: InboundMessage = {
        topic: packet.topic,
        payload: Buffer.from(packet.payload),
        receivedAt: Date.now(),
      };
      ingest(message).then(() => callback(null), callback);
    },
  });
  const handle = (socket: Socket) => {
    aedes.handle(socket);
    refuseOversizedPackets(socket);
  };
  const server =
    auth.tls === undefined
      ? createServer(handle)
      : createTlsServer(
          {
            key: auth.tls.key,
            cert: auth.tls.cert,
            ...(auth.tls.ca === undefined ? {} : { ca: auth.tls.ca, requestCert: true, rejectUnauthorized: true }),
          },
          handle,
        );
  const scheme = auth.tls === undefined ? "mqtt" : "mqtts";
  const urlHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  const candidates = candidatePorts(options.port, DEFAULT_MQTT_PORT);

  return {
    host: options.host,
    publish: (topic, payload) =>
      new Promise((resolve, reject) =>
        aedes.publish({ cmd: "publish", topic, payload, qos: 1, retain: false, dup: false }, (error) =>
          error ? reject(error) : resolve(),
        ),
      ),
    start: async (telemetryIngest) => {
      ingest = telemetryIngest;
      const port = await listenOnFirstFree(server, options.host, candidates);
      return `${scheme}://${urlHost}:${port}`;
    },
    stopAccepting: () => {
      server.close();
    },
    close: async () => {
      server.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

/** A broker listening at once: created, then started with `ingest`. */
export async function startEmbeddedBroker(
  options: EmbeddedBrokerOptions & { readonly ingest: TelemetryIngest },
): Promise<EmbeddedBroker & { readonly url: string; readonly port: number }> {
  const broker = await createEmbeddedBroker(options);
  try {
    const url = await broker.start(options.ingest);
    return { ...broker, url, port: Number(new URL(url).port) };
  } catch (error) {
    await broker.close();
    throw error;
  }
}
