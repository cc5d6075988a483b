import type { AlertPorts } from "./alert-ports.js";

/**
 * The AWS alert ports (alert-ports.ts) with their SDK clients created on first use: a function
 * that alerts only now and then (ingest) does not load two more clients at cold start. One set of
 * clients per container, as anywhere else. `iotDataEndpoint`: as in createIotDataClient.
 */
export function createLazyAlertPorts(topicArn: string, iotDataEndpoint?: string): AlertPorts {
  let ports: Promise<AlertPorts> | undefined;
  const load = (): Promise<AlertPorts> => {
    ports ??= Promise.all([import("@aws-sdk/client-sns"), import("./iot-data.js"), import("./alert-ports.js")]).then(
      ([{ SNSClient }, { createIotDataClient }, { makeAwsAlertPorts }]) =>
        makeAwsAlertPorts({ sns: new SNSClient({}), iot: createIotDataClient(iotDataEndpoint), topicArn }),
    );
    return ports;
  };
  return {
    sink: { publish: async (notice) => (await load()).sink.publish(notice) },
    states: {
      load: async (sensorId) => (await load()).states.load(sensorId),
      save: async (sensorId, states, expectedVersion) => (await load()).states.save(sensorId, states, expectedVersion),
    },
  };
}
