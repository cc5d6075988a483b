/**
 * Late hours in AWS: an SQS queue that ingest notes them on, and that the scheduled hourly
 * roll-up drains (the zones of what it rolls up again: ./zone-rollup-trigger.ts).
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import * as z from "../core/zod.js";
import type { LateHoursSink, LateHoursSource } from "../ports.js";

const messageSchema = z.object({ hours: z.array(z.iso.datetime()) });

/** One message per stored batch that had late readings: the hour starts, as ISO 8601. */
export function makeSqsLateHoursSink(deps: { readonly client: SQSClient; readonly queueUrl: string }): LateHoursSink {
  return {
    async note(hourStarts) {
      await deps.client.send(
        new SendMessageCommand({
          QueueUrl: deps.queueUrl,
          MessageBody: JSON.stringify({ hours: hourStarts.map((hour) => new Date(hour).toISOString()) }),
        }),
      );
    },
  };
}

/** SQS's largest receive. */
const RECEIVE_BATCH = 10;

export interface SqsLateHoursSourceDeps {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** The most messages one run takes; the rest wait for the next run. @default 500 */
  readonly maxMessages?: number;
}

/**
 * Takes what the queue holds now (no long poll: a run must not wait for messages that may never
 * come), up to `maxMessages`; `done` deletes them. A message that is not one of ours names no
 * hour and is deleted with the rest, so that it cannot block the queue. Taken messages stay
 * invisible for the queue's visibility timeout; one not deleted (a failed run)
 * comes back for the next run.
 */
export function makeSqsLateHoursSource(deps: SqsLateHoursSourceDeps): LateHoursSource {
  const maxMessages = deps.maxMessages ?? 500;
  return {
    async take() {
      const receipts: string[] = [];
      const hours = new Set<number>();
      while (receipts.length < maxMessages) {
        const { Messages = [] } = await deps.client.send(
          new ReceiveMessageCommand({
            QueueUrl: deps.queueUrl,
            MaxNumberOfMessages: Math.min(RECEIVE_BATCH, maxMessages - receipts.length),
            WaitTimeSeconds: 0,
          }),
        );
        if (Messages.length === 0) break;
        for (const message of Messages) {
          if (message.ReceiptHandle !== undefined) receipts.push(message.ReceiptHandle);
          const parsed = messageSchema.safeParse(safeJson(message.Body), z.inEnglish);
          if (parsed.success) for (const hour of parsed.data.hours) hours.add(Date.parse(hour));
        }
      }
      return {
        hourStarts: [...hours].sort((a, b) => a - b),
        async done() {
          for (let start = 0; start < receipts.length; start += RECEIVE_BATCH) {
            const entries = receipts
              .slice(start, start + RECEIVE_BATCH)
              .map((ReceiptHandle, index) => ({ Id: String(index), ReceiptHandle }));
            await deps.client.send(new DeleteMessageBatchCommand({ QueueUrl: deps.queueUrl, Entries: entries }));
          }
        },
      };
    },
  };
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? "");
  } catch {
    return undefined;
  }
}
