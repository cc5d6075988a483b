/**
 * What the IoT topic rule writes to the ingest queue: the stack deploys this SQL, the ingest
 * adapter (lambdas/aws/topic-rule-envelope.ts) reads its output. The payload is base64-encoded so
 * that bytes which are not JSON still reach validation and the quarantine instead of failing
 * inside the rule.
 */
import { TELEMETRY_TOPIC_FILTER } from "../core/topics.js";

/** The fields of the SQS body the rule writes, and what each holds. */
export const ENVELOPE_FIELDS = {
  /** The MQTT payload, base64. */
  payload: "payload",
  /** The topic it was published on. */
  topic: "topic",
  /** Epoch ms at which IoT Core received it. */
  receivedAt: "received_at",
} as const;

/** Topic rule SQL (version 2016-03-23) whose output is the envelope above. */
export const TELEMETRY_RULE_SQL = `SELECT encode(*, 'base64') AS ${ENVELOPE_FIELDS.payload}, topic() AS ${ENVELOPE_FIELDS.topic}, timestamp() AS ${ENVELOPE_FIELDS.receivedAt} FROM '${TELEMETRY_TOPIC_FILTER}'`;
export const TELEMETRY_RULE_SQL_VERSION = "2016-03-23";
