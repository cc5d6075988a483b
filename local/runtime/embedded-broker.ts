import { timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { Aedes, type AuthenticateError } from "aedes";
import type { InboundMessage } from "../../lambdas/core/reading.js";
import { isPipelineOutputTopic, sensorIdFromTopic } from "../../lambdas/core/topics.js";
import type { BrokerAuth } from "./broker-config.js";
import type { MqttTransport, TelemetryIngest } from "./mqtt-transport.js";

const DEFAULT_MQTT_PORT = 1883;
/** How many ports after the default to try when it is taken. */
const PORT_SEARCH = 20;

export interface EmbeddedBrokerOptions {
  readonly host: string;
  /** A fixed port (0: any free one); undefined: 1883, or the next free one after it. */
  readonly port?: number;
  readonly auth: BrokerAuth;
}

export interface EmbeddedBroker extends MqttTransport {
  readonly host: string;
}

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

/**
 * The broker, built but not yet listening: the pipeline can publish through it from the start,
 * and it takes connections once `start` gives it the ingest. Every telemetry publish is handed to
 * that ingest; the sensor gets its PUBACK only when it resolves, and is disconnected without one
 * (so it sends again) when it rejects.
 */
export async function createEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { auth } = options;
  let ingest: TelemetryIngest | undefined;
  const aedes = await Aedes.createBroker({
    authenticate: (_client, username, password, done) => {
      if (auth.password === undefined) return done(null, true);
      const ok =
        username === auth.password.username && password !== undefined && sameSecret(password, auth.password.password);
      return ok ? done(null, true) : done(badCredentials(), false);
    },
    authorizePublish: (client, packet, callback) => {
      if (client === null) return callback(null);
      if (isPipelineOutputTopic(packet.topic))
        return callback(new Error(`${packet.topic} is the pipeline's own topic`));
      if (sensorIdFromTopic(packet.topic) === undefined) return callback(null);
      if (ingest === undefined) return callback(new Error("the pipeline is not ingesting yet"));
      const message: InboundMessage = {
        topic: packet.topic,
        payload: Buffer.from(packet.payload),
        receivedAt: Date.now(),
      };
      ingest(message).then(() => callback(null), callback);
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
  const scheme = auth.tls === undefined ? "mqtt" : "mqtts";
  const urlHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  const candidates =
    options.port === undefined ? Array.from({ length: PORT_SEARCH }, (_, i) => DEFAULT_MQTT_PORT + i) : [options.port];

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
