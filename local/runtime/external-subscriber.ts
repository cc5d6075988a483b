import mqtt, { type MqttClient } from "mqtt";
import { type InboundMessage, TELEMETRY_TOPIC_FILTER } from "../../lambdas/core/reading.js";
import { BrokerUnreachableError, withoutPassword } from "../simulator/publisher.js";

/** A fixed id with a persistent session: the broker keeps what arrives while we are away. */
const INGEST_CLIENT_ID = "kaikai-local-ingest";

export interface ExternalSubscriberOptions {
  /** mqtt(s)://[user:password@]host:port */
  readonly url: string;
  readonly connectTimeoutMs?: number;
  /** Resolves once the message is stored or quarantined; only then is it acknowledged. */
  readonly ingest: (message: InboundMessage) => Promise<void>;
  readonly onError: (line: string) => void;
}

export interface ExternalSubscriber {
  publish(topic: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

function firstConnect(client: MqttClient, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => fail(error.message);
    const onClose = () => fail("connection closed");
    const settle = () => {
      client.off("error", onError);
      client.off("close", onClose);
    };
    const fail = (cause: string) => {
      settle();
      client.end(true);
      reject(new BrokerUnreachableError(`cannot reach the MQTT broker at ${withoutPassword(url)}: ${cause}`));
    };
    client.once("connect", () => {
      settle();
      resolve();
    });
    client.on("error", onError);
    client.on("close", onClose);
  });
}

/**
 * Ingests from an existing broker (Mosquitto, ...). Acknowledgements are manual: a PUBACK leaves
 * only after the reading is durable, and a reading that could not be stored is left unacknowledged
 * and the connection dropped, so the broker delivers it again in the persistent session. mqtt.js
 * hands over one message at a time, so this path commits per message: slower than the embedded
 * broker, equally safe.
 */
export async function startExternalSubscriber(options: ExternalSubscriberOptions): Promise<ExternalSubscriber> {
  const client = mqtt.connect(options.url, {
    clientId: INGEST_CLIENT_ID,
    clean: false,
    reconnectPeriod: 0,
    connectTimeout: options.connectTimeoutMs ?? 5000,
  });
  // mqtt.js sends the PUBACK of a QoS 1 message once handleMessage calls back (any protocol version).
  client.handleMessage = (packet, callback) => {
    if (packet.cmd !== "publish") return callback();
    options.ingest({ topic: packet.topic, payload: Buffer.from(packet.payload), receivedAt: Date.now() }).then(
      () => callback(),
      (error: unknown) => {
        options.onError(`not stored, the broker will deliver it again: ${String(error)}`);
        client.stream.destroy();
      },
    );
  };
  await firstConnect(client, options.url);
  client.on("error", (error) => options.onError(`MQTT: ${error.message}`));
  client.options.reconnectPeriod = 1000;
  await client.subscribeAsync(TELEMETRY_TOPIC_FILTER, { qos: 1 });
  return {
    publish: async (topic, payload) => {
      await client.publishAsync(topic, payload, { qos: 1 });
    },
    close: async () => {
      await client.endAsync();
    },
  };
}
