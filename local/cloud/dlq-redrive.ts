/**
 * `kaikai dlq redrive --stage`: the messages of a dead-letter queue sent back to the queue they
 * came from, so that ingest (or the hourly roll-up) takes them again. SQS message move tasks do
 * this server-side, but AWS emulators do not offer them; receive, send, delete does the same with
 * the calls every SQS implementation has. A message is deleted from the dead-letter queue only
 * once its copy is in the source queue: an interrupted redrive leaves duplicates, never losses,
 * and ingest stores a reading delivered twice once.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { kaikaiQueueName, REDRIVABLE_QUEUES, type RedrivableQueue } from "../../lambdas/bindings/resources.js";
import { RedriveError } from "./redrive-error.js";

export interface RedriveResult {
  readonly deadLetterQueue: string;
  readonly sourceQueue: string;
  /** Messages in the dead-letter queue before and after, as SQS counts them (approximately). */
  readonly before: number;
  readonly moved: number;
  readonly after: number;
}

/** Long enough to send and delete a batch; a message not deleted by then is received again. */
const VISIBILITY_TIMEOUT_SECONDS = 60;
const SQS_BATCH = 10;

async function queueUrl(sqs: SQSClient, name: string): Promise<string> {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (QueueUrl === undefined) throw new RedriveError(`SQS gave no URL for ${name}`);
    return QueueUrl;
  } catch (error) {
    if (error instanceof QueueDoesNotExist) {
      throw new RedriveError(`no queue ${name} in this account and region: is the stage deployed here?`);
    }
    throw error;
  }
}

async function depth(sqs: SQSClient, url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
}

export async function redriveDeadLetters(
  sqs: SQSClient,
  options: { readonly stage: string; readonly queue: RedrivableQueue; readonly progress?: (moved: number) => void },
): Promise<RedriveResult> {
  const names = REDRIVABLE_QUEUES[options.queue];
  const deadLetterQueue = kaikaiQueueName(options.stage, names.deadLetterQueue);
  const sourceQueue = kaikaiQueueName(options.stage, names.source);
  const [dlqUrl, sourceUrl] = await Promise.all([queueUrl(sqs, deadLetterQueue), queueUrl(sqs, sourceQueue)]);
  const before = await depth(sqs, dlqUrl);
  let moved = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: SQS_BATCH,
        WaitTimeSeconds: 0,
        VisibilityTimeout: VISIBILITY_TIMEOUT_SECONDS,
        MessageAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) break;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: sourceUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          MessageBody: message.Body ?? "",
          ...(message.MessageAttributes === undefined ? {} : { MessageAttributes: message.MessageAttributes }),
        })),
      }),
    );
    const delivered = (sent.Successful ?? []).flatMap((entry) => {
      const receiptHandle = Messages[Number(entry.Id)]?.ReceiptHandle;
      return receiptHandle === undefined ? [] : [{ Id: entry.Id, ReceiptHandle: receiptHandle }];
    });
    if (delivered.length > 0) {
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl, Entries: delivered }));
    }
    moved += delivered.length;
    options.progress?.(moved);
    // What SQS refused stays in the dead-letter queue, and is not received again in this run.
    if ((sent.Failed ?? []).length > 0) break;
  }
  return { deadLetterQueue, sourceQueue, before, moved, after: await depth(sqs, dlqUrl) };
}
