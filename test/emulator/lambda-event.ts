/**
 * Lambda's SQS event, built from messages that really went through a queue on the emulator, the
 * way the ingest function's event source mapping hands them over.
 */
import { CreateQueueCommand, type Message, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { receiveAll, sqsClient, uniqueName } from "./aws-emulator.js";

/** SendMessageBatch takes at most 10 entries. */
const SQS_BATCH_LIMIT = 10;

export async function deliverThroughQueue(bodies: readonly string[]): Promise<SQSEvent> {
  const sqs = sqsClient();
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("kaikai-ingest") }));
  if (queueUrl === undefined) throw new Error("CreateQueue returned no QueueUrl");
  const sentIds: string[] = [];
  for (let start = 0; start < bodies.length; start += SQS_BATCH_LIMIT) {
    const part = bodies.slice(start, start + SQS_BATCH_LIMIT);
    const { Successful = [], Failed = [] } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: part.map((body, index) => ({ Id: String(start + index), MessageBody: body })),
      }),
    );
    if (Failed.length > 0) throw new Error(`SendMessageBatch refused ${JSON.stringify(Failed)}`);
    sentIds.push(...Successful.map(({ MessageId }) => MessageId ?? ""));
  }
  const received = await receiveAll(queueUrl, bodies.length);
  // The handler maps its outcome back to records by position, so keep the order they were sent in.
  const byId = new Map(received.map((message) => [message.MessageId, message]));
  const ordered = sentIds.map((id) => byId.get(id));
  if (ordered.some((message) => message === undefined)) {
    throw new Error(`sent ${bodies.length} messages, received ${received.length}`);
  }
  return { Records: ordered.flatMap((message) => (message ? [toRecord(message, queueUrl)] : [])) };
}

function toRecord(message: Message, queueUrl: string): SQSRecord {
  const region = process.env.AWS_REGION ?? "us-east-1";
  return {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? "1",
      SentTimestamp: message.Attributes?.SentTimestamp ?? "",
      SenderId: message.Attributes?.SenderId ?? "",
      ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? "",
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:${region}:000000000000:${new URL(queueUrl).pathname.split("/").at(-1)}`,
    awsRegion: region,
  };
}
