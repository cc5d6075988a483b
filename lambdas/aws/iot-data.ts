import { IoTDataPlaneClient, type IoTDataPlaneClientConfig } from "@aws-sdk/client-iot-data-plane";

/**
 * The IoT data-plane client on the account's ATS endpoint (IOT_DATA_ENDPOINT, looked up at deploy
 * time): without an endpoint the SDK calls `data.iot.<region>.amazonaws.com`, the legacy endpoint
 * with a VeriSign (Symantec) certificate, which AWS advises against. An emulator's
 * AWS_ENDPOINT_URL_IOT_DATA_PLANE or AWS_ENDPOINT_URL still wins, as for the Timestream clients.
 */
export function createIotDataClient(
  atsEndpoint: string | undefined,
  config: IoTDataPlaneClientConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): IoTDataPlaneClient {
  const endpoint = config.endpoint ?? env.AWS_ENDPOINT_URL_IOT_DATA_PLANE ?? env.AWS_ENDPOINT_URL ?? atsEndpoint;
  return new IoTDataPlaneClient(endpoint === undefined ? config : { ...config, endpoint });
}
