/**
 * The MQTT topics of the message contract (ARCHITECTURE.md), the same on IoT Core and on the local
 * broker: sensors publish on their telemetry topic, the pipeline on the alert and aggregate ones.
 */
const TELEMETRY_PREFIX = "kaikai/sensors/";
const TELEMETRY_SUFFIX = "/telemetry";

export const TELEMETRY_TOPIC_FILTER = `${TELEMETRY_PREFIX}+${TELEMETRY_SUFFIX}`;
export const ALERTS_TOPIC_FILTER = "kaikai/alerts/+";
export const HOURLY_AGGREGATES_TOPIC = "kaikai/aggregates/hourly";
export const ZONE_AGGREGATES_TOPIC = "kaikai/aggregates/zones";
export const DAILY_AGGREGATES_TOPIC = "kaikai/aggregates/daily";

export const telemetryTopic = (sensorId: string): string => `${TELEMETRY_PREFIX}${sensorId}${TELEMETRY_SUFFIX}`;
export const alertTopic = (sensorId: string): string => `kaikai/alerts/${sensorId}`;

/** How a telemetry topic is written, for messages that name a topic of another shape. */
export const TELEMETRY_TOPIC_SHAPE = `${TELEMETRY_PREFIX}{id}${TELEMETRY_SUFFIX}`;

/**
 * The sensor id of a `kaikai/sensors/{id}/telemetry` topic, or undefined for any other topic
 * (an empty id, an id with a slash, another prefix or suffix, another case).
 */
export function sensorIdFromTopic(topic: string): string | undefined {
  if (!topic.startsWith(TELEMETRY_PREFIX) || !topic.endsWith(TELEMETRY_SUFFIX)) return undefined;
  const id = topic.slice(TELEMETRY_PREFIX.length, topic.length - TELEMETRY_SUFFIX.length);
  return id.length > 0 && !id.includes("/") ? id : undefined;
}

/** Topics only the pipeline itself publishes on: a client that publishes there impersonates it. */
export function isPipelineOutputTopic(topic: string): boolean {
  return /^kaikai\/(alerts|aggregates)(\/|$)/.test(topic);
}

/**
 * Why a client may not publish on `topic`, or undefined when it may: the contract gives clients
 * only their telemetry topic. Everything else is refused before it is acknowledged, so that an
 * acknowledged publish is always stored or quarantined: the broker's own `$SYS` topics (a forged
 * `$SYS/.../new/clients` would disconnect the client it names), the pipeline's output topics, and
 * any topic that is not exactly `kaikai/sensors/{id}/telemetry`.
 */
export function publishRefusal(topic: string): string | undefined {
  if (topic.startsWith("$")) return `${topic}: topics starting with $ are the broker's own`;
  if (isPipelineOutputTopic(topic)) return `${topic} is the pipeline's own topic`;
  if (sensorIdFromTopic(topic) === undefined) return `${topic} is not a telemetry topic (${TELEMETRY_TOPIC_SHAPE})`;
  return undefined;
}
