import type { InboundMessage } from "../../lambdas/core/reading.js";

/** Resolves once the message is stored or quarantined durably; only then is it acknowledged. */
export type TelemetryIngest = (message: InboundMessage) => Promise<void>;

/**
 * The MQTT side of the local pipeline: the embedded broker or a connection to an existing one.
 * Built in two steps, like a server that is created and then listens, so that the ingest (whose
 * alerts publish through the transport) can be made between them.
 */
export interface MqttTransport {
  /** Publishes as the pipeline (alerts, aggregates), QoS 1. */
  publish(topic: string, payload: string): Promise<void>;
  /** Takes telemetry from now on, each message handed to `ingest`; resolves to the URL sensors publish to. */
  start(ingest: TelemetryIngest): Promise<string>;
  /** Stops taking new connections; clients already connected may still publish. */
  stopAccepting(): void;
  close(): Promise<void>;
}
