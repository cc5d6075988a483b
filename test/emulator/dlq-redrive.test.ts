import { CreateQueueCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { kaikaiQueueName, REDRIVABLE_QUEUES } from "../../lambdas/bindings/resources.js";
import { redriveDeadLetters } from "../../local/cloud/dlq-redrive.js";
import { RedriveError } from "../../local/cloud/redrive-error.js";
import { receiveAll, sqsClient, uniqueName } from "./aws-emulator.js";

describe("kaikai dlq redrive, against the SQS API", () => {
  it("moves the ingest dead-letter queue's messages back to the buffer, with counts before and after, once", async () => {
    const sqs = sqsClient();
    const stage = uniqueName("redrive");
    const names = REDRIVABLE_QUEUES.ingest;
    const create = async (label: string) =>
      (await sqs.send(new CreateQueueCommand({ QueueName: kaikaiQueueName(stage, label) }))).QueueUrl ?? "";
    const [dlqUrl, bufferUrl] = await Promise.all([create(names.deadLetterQueue), create(names.source)]);
    const bodies = Array.from({ length: 13 }, (_, index) => JSON.stringify({ payload: `reading ${index}` }));
    for (const body of bodies) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: dlqUrl,
          MessageBody: body,
          MessageAttributes: { origin: { DataType: "String", StringValue: "topic-rule" } },
        }),
      );
    }

    const progress: number[] = [];
    const first = await redriveDeadLetters(sqs, { stage, queue: "ingest", progress: (moved) => progress.push(moved) });
    expect(first).toEqual({
      deadLetterQueue: kaikaiQueueName(stage, names.deadLetterQueue),
      sourceQueue: kaikaiQueueName(stage, names.source),
      before: 13,
      moved: 13,
      after: 0,
    });
    expect(progress).toEqual([10, 13]);
    const back = await receiveAll(bufferUrl, 13);
    expect(back.map((message) => message.Body).sort()).toEqual([...bodies].sort());
    expect(back[0]?.MessageAttributes?.origin?.StringValue).toBe("topic-rule");

    const second = await redriveDeadLetters(sqs, { stage, queue: "ingest" });
    expect(second).toMatchObject({ before: 0, moved: 0, after: 0 });
  });

  it("says which queue it cannot find when the stage is not deployed", async () => {
    const stage = uniqueName("absent");
    await expect(redriveDeadLetters(sqsClient(), { stage, queue: "late-hours" })).rejects.toThrow(RedriveError);
    await expect(redriveDeadLetters(sqsClient(), { stage, queue: "late-hours" })).rejects.toThrow(
      `no queue kaikai-${stage}-late-hours`,
    );
  });
});
