/**
 * The late hours queue on real SQS semantics (the emulator's): what ingest notes, the hourly
 * roll-up takes once, and after `done` the queue is empty; not done, the messages come back.
 */
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { makeSqsLateHoursSink, makeSqsLateHoursSource } from "../../lambdas/aws/late-hours.js";
import { sqsClient, uniqueName } from "./aws-emulator.js";

const at = (iso: string) => Date.parse(iso);

async function createQueue(visibilityTimeoutSeconds: number): Promise<string> {
  const { QueueUrl } = await sqsClient().send(
    new CreateQueueCommand({
      QueueName: uniqueName("late-hours"),
      Attributes: { VisibilityTimeout: String(visibilityTimeoutSeconds) },
    }),
  );
  if (QueueUrl === undefined) throw new Error("no queue URL");
  return QueueUrl;
}

const visible = async (queueUrl: string): Promise<number> => {
  const { Attributes } = await sqsClient().send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages);
};

describe("the late hours queue against the emulator", () => {
  it("gives the roll-up every noted hour once, and is empty once it is done", async () => {
    const queueUrl = await createQueue(60);
    const sink = makeSqsLateHoursSink({ client: sqsClient(), queueUrl });
    for (let batch = 0; batch < 13; batch++) {
      await sink.note([at("2026-11-28T10:00:00Z"), at("2026-11-27T00:00:00Z") + batch * 3_600_000]);
    }
    const taken = await makeSqsLateHoursSource({ client: sqsClient(), queueUrl }).take();
    expect(taken.hourStarts).toHaveLength(14);
    expect(taken.hourStarts).toContain(at("2026-11-28T10:00:00Z"));
    await taken.done();
    expect(await visible(queueUrl)).toBe(0);
    expect((await makeSqsLateHoursSource({ client: sqsClient(), queueUrl }).take()).hourStarts).toEqual([]);
  });

  it("keeps what a failed run took, hidden until its visibility timeout", async () => {
    const queueUrl = await createQueue(1);
    await makeSqsLateHoursSink({ client: sqsClient(), queueUrl }).note([at("2026-11-28T10:00:00Z")]);
    const source = makeSqsLateHoursSource({ client: sqsClient(), queueUrl });
    expect((await source.take()).hourStarts).toEqual([at("2026-11-28T10:00:00Z")]);
    // Not done: taken again once the timeout has passed (bounded, not a fixed wait).
    let again: readonly number[] = [];
    for (let attempt = 0; attempt < 50 && again.length === 0; attempt++) {
      again = (await source.take()).hourStarts;
      if (again.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(again).toEqual([at("2026-11-28T10:00:00Z")]);
  });
});
