import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { makeSqsLateHoursSink, makeSqsLateHoursSource } from "../../../lambdas/aws/late-hours.js";

const sqs = mockClient(SQSClient);
const QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/late-hours";
const at = (iso: string) => Date.parse(iso);
beforeEach(() => sqs.reset());

const message = (id: number, body: string) => ({ MessageId: String(id), ReceiptHandle: `r${id}`, Body: body });

describe("the late hours queue", () => {
  it("notes a batch's late hours as one message of ISO hours", async () => {
    sqs.on(SendMessageCommand).resolves({});
    await makeSqsLateHoursSink({ client: new SQSClient({ region: "eu-west-1" }), queueUrl: QUEUE }).note([
      at("2026-11-28T10:00:00Z"),
    ]);
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: QUEUE,
      MessageBody: JSON.stringify({ hours: ["2026-11-28T10:00:00.000Z"] }),
    });
  });

  it("takes every message there is, without waiting, each hour once, and deletes them when done", async () => {
    const pages = [
      Array.from({ length: 10 }, (_, i) => message(i, JSON.stringify({ hours: ["2026-11-28T10:00:00.000Z"] }))),
      [message(10, JSON.stringify({ hours: ["2026-11-27T03:00:00.000Z"] })), message(11, "not ours")],
      [],
    ];
    sqs.on(ReceiveMessageCommand).callsFake(() => ({ Messages: pages.shift() ?? [] }));
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const source = makeSqsLateHoursSource({ client: new SQSClient({ region: "eu-west-1" }), queueUrl: QUEUE });

    const taken = await source.take();

    expect(taken.hourStarts).toEqual([at("2026-11-27T03:00:00Z"), at("2026-11-28T10:00:00Z")]);
    expect(sqs.commandCalls(ReceiveMessageCommand).map((call) => call.args[0].input.WaitTimeSeconds)).toEqual([
      0, 0, 0,
    ]);
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
    await taken.done();
    const deleted = sqs.commandCalls(DeleteMessageBatchCommand).map((call) => call.args[0].input.Entries?.length);
    expect(deleted).toEqual([10, 2]);
  });

  it("takes at most maxMessages in one run, leaving the rest for the next", async () => {
    sqs.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages?: number }) => ({
      Messages: Array.from({ length: input.MaxNumberOfMessages ?? 10 }, (_, i) =>
        message(i, JSON.stringify({ hours: ["2026-11-28T10:00:00.000Z"] })),
      ),
    }));
    const source = makeSqsLateHoursSource({
      client: new SQSClient({ region: "eu-west-1" }),
      queueUrl: QUEUE,
      maxMessages: 25,
    });
    await source.take();
    expect(sqs.commandCalls(ReceiveMessageCommand).map((call) => call.args[0].input.MaxNumberOfMessages)).toEqual([
      10, 10, 5,
    ]);
  });
});
