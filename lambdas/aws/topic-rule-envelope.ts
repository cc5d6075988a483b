/**
 * The SQS message body written by the IoT topic rule (lambdas/bindings/topic-rule.ts), and its
 * reading back into an InboundMessage.
 */
import { ENVELOPE_FIELDS } from "../bindings/topic-rule.js";
import type { InboundMessage, Rejection } from "../core/reading.js";
import * as z from "../core/zod.js";

const MAX_DATE_MS = 8.64e15;

/** Topic recorded in the quarantine when the envelope is unreadable and the topic unknown. */
export const UNKNOWN_TOPIC = "unknown";

export const envelopeSchema = z.object({
  [ENVELOPE_FIELDS.payload]: z.base64(),
  [ENVELOPE_FIELDS.topic]: z.string(),
  /** Epoch ms; bounded to what a Date can hold. */
  [ENVELOPE_FIELDS.receivedAt]: z.int().check(z.gte(0), z.lte(MAX_DATE_MS)),
});
export type Envelope = z.infer<typeof envelopeSchema>;

export type EnvelopeResult =
  | { readonly ok: true; readonly message: InboundMessage }
  | {
      readonly ok: false;
      /** The raw body as the payload, so that the quarantine keeps it whole. */
      readonly message: InboundMessage;
      readonly rejection: Rejection;
    };

/**
 * Reads an SQS body. A body that is not an envelope cannot be validated as a reading: it comes
 * back as a `malformed_json` rejection carrying the body, received at `fallbackReceivedAt`.
 */
export function parseEnvelope(body: string, fallbackReceivedAt: number): EnvelopeResult {
  const document = parseJson(body);
  const envelope = envelopeSchema.safeParse(document, z.inEnglish);
  if (envelope.success) {
    const { payload, topic, received_at } = envelope.data;
    return { ok: true, message: { payload: Buffer.from(payload, "base64"), topic, receivedAt: received_at } };
  }
  return {
    ok: false,
    message: { payload: Buffer.from(body, "utf8"), topic: UNKNOWN_TOPIC, receivedAt: fallbackReceivedAt },
    rejection: {
      reason: "malformed_json",
      detail:
        document === undefined
          ? "the SQS body is not JSON, so not a topic rule envelope"
          : `not a topic rule envelope: ${z.prettifyError(envelope.error).replaceAll("\n", "; ")}`,
    },
  };
}

/** Builds the body the topic rule would write for a payload; for tests, replays and the simulator. */
export function toEnvelopeBody(message: InboundMessage): string {
  const envelope: Envelope = {
    payload: Buffer.from(message.payload).toString("base64"),
    topic: message.topic,
    received_at: message.receivedAt,
  };
  return JSON.stringify(envelope);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
