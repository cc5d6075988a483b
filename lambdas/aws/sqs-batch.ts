/**
 * The ingest use case on an SQS batch: each record carries a topic rule envelope, and the messages
 * the use case asks to see again are reported as batch item failures, so that SQS redelivers
 * exactly those (the event source mapping has ReportBatchItemFailures on). An all-failed batch is
 * reported like a partial one: SQS redelivers the same messages either way.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { Clock } from "../ports.js";
import type { Ingest, IngestMessage } from "../use-cases/ingest.js";
import { parseEnvelope } from "./topic-rule-envelope.js";

export type SqsIngestHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export function makeSqsIngestHandler(ingest: Ingest, clock: Clock): SqsIngestHandler {
  return async (event) => {
    const { retry } = await ingest.ingest(event.Records.map((record) => toIngestMessage(record, clock)));
    const batchItemFailures = retry.flatMap((index) => {
      const record = event.Records[index];
      return record === undefined ? [] : [{ itemIdentifier: record.messageId }];
    });
    return { batchItemFailures };
  };
}

/** A body that is not an envelope is still ingested, as its own rejection, received when SQS got it. */
function toIngestMessage(record: SQSRecord, clock: Clock): IngestMessage {
  const sentAt = Number(record.attributes.SentTimestamp);
  const envelope = parseEnvelope(record.body, Number.isFinite(sentAt) ? sentAt : clock.now());
  return envelope.ok ? envelope.message : { ...envelope.message, transportRejection: envelope.rejection };
}
