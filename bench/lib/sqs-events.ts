/** SQS events as the topic rule and the event source mapping deliver them to the ingest function. */
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { toEnvelopeBody } from "../../lambdas/core/envelope.js";
import { telemetryTopic } from "../../lambdas/core/reading.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { simulateReading } from "../../local/simulator/model.js";

function sqsRecord(index: number, body: string, now: number): SQSRecord {
  return {
    messageId: `m-${index}`,
    receiptHandle: `r-${index}`,
    body,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(now),
      SenderId: "bench",
      ApproximateFirstReceiveTimestamp: String(now),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:kaikai-ingest",
    awsRegion: "eu-west-1",
  };
}

/** `readings` valid simulated readings of the fleet, one second apart, ending at `now`, in events of `batchSize`. */
export function sqsEvents(readings: number, batchSize: number, now: number): SQSEvent[] {
  const events: SQSEvent[] = [];
  for (let start = 0; start < readings; start += batchSize) {
    const Records = Array.from({ length: Math.min(batchSize, readings - start) }, (_, offset) => {
      const index = start + offset;
      const sensor = SENSORS[index % SENSORS.length] ?? SENSORS[0];
      if (sensor === undefined) throw new Error("empty registry");
      const reading = simulateReading(sensor, now - (readings - index) * 1000, { seed: 2, dustEpisodes: [] });
      const message = {
        payload: Buffer.from(JSON.stringify(reading)),
        topic: telemetryTopic(sensor.sensorId),
        receivedAt: now,
      };
      return sqsRecord(index, toEnvelopeBody(message), now);
    });
    events.push({ Records });
  }
  return events;
}
