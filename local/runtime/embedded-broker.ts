import { timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { Aedes, type AuthenticateError } from "aedes";
import type { InboundMessage } from "../../lambdas/core/reading.js";
import type { BrokerAuth } from "./broker-config.js";

const DEFAULT_MQTT_PORT = 1883;
/** How many ports after the default to try when it is taken. */
const PORT_SEARCH = 20;

export interface EmbeddedBrokerOptions {
  readonly host: string;
  /** A fixed port (0: any free one); undefined: 1883, or the next free one after it. */
  readonly port?: number;
  readonly auth: BrokerAuth;
  /**
   * Called for every telemetry publish; the sensor gets its PUBACK only when this resolves, and
   * is disconnected without one (so it sends again) when it rejects.
   */
  readonly ingest: (message: InboundMessage) => Promise<void>;
}

export interface EmbeddedBroker {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  publish(topic: string, payload: string): Promise<void>;
  /** Stops accepting connections; clients already connected may still publish. */
  stopAccepting(): void;
  close(): Promise<void>;
}

const TELEMETRY = /^kaikai\/sensors\/[^/]+\/telemetry$/;
/** Topics only the pipeline itself publishes on. */
const PIPELINE_OUTPUT = /^kaikai\/(alerts|aggregates)(\/|$)/;

const sameSecret = (given: Buffer, expected: string): boolean => {
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
};

function badCredentials(): AuthenticateError {
  return Object.assign(new Error("bad username or password"), { returnCode: 4 as const });
}

function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

const isAddressInUse = (error: unknown): boolean =>
  error instanceof Error && "code" in error && error.code === "EADDRINUSE";

/** Listens on the first candidate port that is not taken; any other error stops the search. */
async function listenOnFirstFree(server: Server, host: string, candidates: readonly number[]): Promise<number> {
  for (const [index, candidate] of candidates.entries()) {
    try {
      return await listenOn(server, host, candidate);
    } catch (error) {
      if (!isAddressInUse(error) || index === candidates.length - 1) throw error;
    }
  }
  throw new Error("no port to listen on");
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { auth } = options;
  const aedes = await Aedes.createBroker({
    authenticate: (_client, username, password, done) => {
      if (auth.password === undefined) return done(null, true);
      const ok =
        username === auth.password.username && password !== undefined && sameSecret(password, auth.password.password);
      return ok ? done(null, true) : done(badCredentials(), false);
    },
    authorizePublish: (client, packet, callback) => {
      if (client === null) return callback(null);
      if (PIPELINE_OUTPUT.test(packet.topic)) return callback(new Error(`${packet.topic} is the pipeline's own topic`));
      if (!TELEMETRY.test(packet.topic)) return callback(null);
      options
        .ingest({ topic: packet.topic, payload: Buffer.from(packet.payload), receivedAt: Date.now() })
        .then(() => callback(null), callback);
    },
  });
  const server =
    auth.tls === undefined
      ? createServer(aedes.handle)
      : createTlsServer(
          {
            key: auth.tls.key,
            cert: auth.tls.cert,
            ...(auth.tls.ca === undefined ? {} : { ca: auth.tls.ca, requestCert: true, rejectUnauthorized: true }),
          },
          aedes.handle,
        );

  const candidates =
    options.port === undefined ? Array.from({ length: PORT_SEARCH }, (_, i) => DEFAULT_MQTT_PORT + i) : [options.port];
  let port: number;
  try {
    port = await listenOnFirstFree(server, options.host, candidates);
  } catch (error) {
    aedes.close();
    throw error;
  }
  const scheme = auth.tls === undefined ? "mqtt" : "mqtts";
  const urlHost = options.host.includes(":") ? `[${options.host}]` : options.host;

  return {
    host: options.host,
    port,
    url: `${scheme}://${urlHost}:${port}`,
    publish: (topic, payload) =>
      new Promise((resolve, reject) =>
        aedes.publish({ cmd: "publish", topic, payload, qos: 1, retain: false, dup: false }, (error) =>
          error ? reject(error) : resolve(),
        ),
      ),
    stopAccepting: () => {
      server.close();
    },
    close: async () => {
      server.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
