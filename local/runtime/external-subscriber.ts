import mqtt, { type MqttClient } from "mqtt";
import { TELEMETRY_TOPIC_FILTER } from "../../lambdas/core/topics.js";
import { BrokerUnreachableError, withoutPassword } from "../simulator/publisher.js";
import type { MqttTransport } from "./mqtt-transport.js";

/** A fixed id with a persistent session: the broker keeps what arrives while we are away. */
const INGEST_CLIENT_ID = "kaikai-local-ingest";

export interface ExternalSubscriberOptions {
  /** mqtt(s)://[user:password@]host:port */
  readonly url: string;
  readonly connectTimeoutMs?: number;
  readonly onError: (line: string) => void;
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
 * broker, equally safe. It connects in `start`: the persistent session delivers what it kept as
 * soon as it resumes, and each of those messages must reach the ingest.
 */
export function externalBroker(options: ExternalSubscriberOptions): MqttTransport {
  let client: MqttClient | undefined;
  return {
    async start(ingest) {
      const connecting = mqtt.connect(options.url, {
        clientId: INGEST_CLIENT_ID,
        clean: false,
        reconnectPeriod: 0,
        connectTimeout: options.connectTimeoutMs ?? 5000,
      });
      // mqtt.js sends the PUBACK of a QoS 1 message once handleMessage calls back (any protocol version).
      connecting.handleMessage = (packet, callback) => {
        if (packet.cmd !== "publish") return callback();
        ingest({ topic: packet.topic, payload: Buffer.from(packet.payload), receivedAt: Date.now() }).then(
          () => callback(),
          (error: unknown) => {
            options.onError(`not stored, the broker will deliver it again: ${String(error)}`);
            connecting.stream.destroy();
          },
        );
      };
      await firstConnect(connecting, options.url);
      client = connecting;
      connecting.on("error", (error) => options.onError(`MQTT: ${error.message}`));
      connecting.options.reconnectPeriod = 1000;
      await connecting.subscribeAsync(TELEMETRY_TOPIC_FILTER, { qos: 1 });
      return options.url;
    },
    async publish(topic, payload) {
      if (client === undefined) throw new Error("not connected to the MQTT broker yet");
      await client.publishAsync(topic, payload, { qos: 1 });
    },
    // The external broker's listener is not ours to close.
    stopAccepting: () => undefined,
    async close() {
      await client?.endAsync();
    },
  };
}
