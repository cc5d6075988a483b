/** Valid simulated readings of the fleet, as MQTT delivers them and as SQS hands them to the ingest function. */
import type { SQSEvent } from "aws-lambda";
import type { InboundMessage } from "../../lambdas/core/reading.js";
import type { Sensor } from "../../lambdas/core/sensor.js";
import { telemetryTopic } from "../../lambdas/core/topics.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { simulateReading } from "../../local/simulator/model.js";
import { sqsEventOf } from "../../test/fixtures/telemetry.js";

/** A message whose payload is a Buffer, as mqtt.js publishes and receives them. */
export type FleetMessage = InboundMessage & { readonly payload: Buffer };

/** `count` readings, the sensors (by default the registry's) in turn; reading `index` is taken at `timeOf(index)`. */
export function fleetMessages(
  count: number,
  options: {
    readonly seed: number;
    readonly receivedAt: number;
    readonly timeOf: (index: number) => number;
    readonly sensors?: readonly Sensor[];
  },
): FleetMessage[] {
  const sensors = options.sensors ?? SENSORS;
  return Array.from({ length: count }, (_, index) => {
    const sensor = sensors[index % sensors.length] ?? sensors[0];
    if (sensor === undefined) throw new Error("empty registry");
    const reading = simulateReading(sensor, options.timeOf(index), { seed: options.seed, dustEpisodes: [] });
    return {
      payload: Buffer.from(JSON.stringify(reading)),
      topic: telemetryTopic(sensor.sensorId),
      receivedAt: options.receivedAt,
    };
  });
}

/** `count` valid readings one second apart, the last one second before `now`, received at `now`. */
export const recentMessages = (count: number, seed: number, now: number): FleetMessage[] =>
  fleetMessages(count, { seed, receivedAt: now, timeOf: (index) => now - (count - index) * 1000 });

/** The messages in SQS events of `batchSize` records, as the event source mapping delivers them. */
export function sqsEvents(messages: readonly InboundMessage[], batchSize: number): SQSEvent[] {
  const events: SQSEvent[] = [];
  for (let start = 0; start < messages.length; start += batchSize) {
    events.push(sqsEventOf(messages.slice(start, start + batchSize)));
  }
  return events;
}
