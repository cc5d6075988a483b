import type { AlertSink, AlertStateStore } from "../ports.js";

interface AlertPorts {
  readonly sink: AlertSink;
  readonly states: AlertStateStore;
}

/**
 * The SNS + IoT alert sink and the shadow state store, with their SDK clients created on first
 * use: a function that alerts only now and then (ingest) does not load two more clients at cold
 * start. One set of clients per container, as anywhere else. `iotDataEndpoint`: as in
 * createIotDataClient.
 */
export function createLazyAlertPorts(topicArn: string, iotDataEndpoint?: string): AlertPorts {
  let ports: Promise<AlertPorts> | undefined;
  const load = (): Promise<AlertPorts> => {
    ports ??= Promise.all([
      import("@aws-sdk/client-sns"),
      import("./iot-data.js"),
      import("./alert-sinks.js"),
      import("./shadow-alert-state.js"),
    ]).then(([{ SNSClient }, { createIotDataClient }, sinks, shadow]) => {
      const iot = createIotDataClient(iotDataEndpoint);
      return {
        sink: sinks.fanOutAlertSink([
          sinks.makeSnsAlertSink({ client: new SNSClient({}), topicArn }),
          sinks.makeIotAlertSink({ client: iot }),
        ]),
        states: shadow.makeShadowAlertStateStore({ client: iot }),
      };
    });
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
