import { IoTDataPlaneClient, type IoTDataPlaneClientConfig, PublishCommand } from "@aws-sdk/client-iot-data-plane";
import { withEndpointFromEnv } from "./client-endpoint.js";

/**
 * The IoT data-plane client on the account's ATS endpoint (IOT_DATA_ENDPOINT, looked up at deploy
 * time): without an endpoint the SDK calls `data.iot.<region>.amazonaws.com`, the legacy endpoint
 * with a VeriSign (Symantec) certificate, which AWS advises against. An emulator's endpoint
 * variables still win over it.
 */
export function createIotDataClient(
  atsEndpoint: string | undefined,
  config: IoTDataPlaneClientConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): IoTDataPlaneClient {
  return new IoTDataPlaneClient(withEndpointFromEnv(config, "AWS_ENDPOINT_URL_IOT_DATA_PLANE", env, atsEndpoint));
}

/** Publishes `message` as JSON on an MQTT topic, QoS 1: subscribers get it at least once. */
export async function publishJson(client: IoTDataPlaneClient, topic: string, message: unknown): Promise<void> {
  await client.send(
    new PublishCommand({
      topic,
      qos: 1,
      contentType: "application/json",
      payload: new TextEncoder().encode(JSON.stringify(message)),
    }),
  );
}
