/**
 * The SQS message body written by the IoT topic rule, and its reading back into an InboundMessage.
 * The rule passes the payload base64-encoded so that bytes which are not JSON still reach
 * validation and the quarantine instead of failing inside the rule.
 */
import { type InboundMessage, type Rejection, TELEMETRY_TOPIC_FILTER } from "./reading.js";
import * as z from "./schema.js";

/** Topic rule SQL (version 2016-03-23) whose output is the envelope below. */
export const TELEMETRY_RULE_SQL = `SELECT encode(*, 'base64') AS payload, topic() AS topic, timestamp() AS received_at FROM '${TELEMETRY_TOPIC_FILTER}'`;
export const TELEMETRY_RULE_SQL_VERSION = "2016-03-23";

const MAX_DATE_MS = 8.64e15;

/** Topic recorded in the quarantine when the envelope is unreadable and the topic unknown. */
export const UNKNOWN_TOPIC = "unknown";

export const envelopeSchema = z.object({
  payload: z.base64(),
  topic: z.string(),
  /** Epoch ms; bounded to what a Date can hold. */
  received_at: z.int().check(z.gte(0), z.lte(MAX_DATE_MS)),
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
  const envelope = envelopeSchema.safeParse(document);
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
