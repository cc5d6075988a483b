/**
 * Validation and enrichment of one inbound message, exactly per the message contract of
 * ARCHITECTURE.md. Hand-checked rather than a zod schema: this runs once per reading on the hot
 * path, and each failure must map to one stable reason code in a fixed order:
 * payload_too_large, malformed_json, not_an_object, missing_field, wrong_type, out_of_range,
 * sensor_mismatch, unknown_sensor, timestamp_in_future, timestamp_too_old.
 */
import {
  type EnrichedReading,
  type InboundMessage,
  MAX_FUTURE_SKEW_MS,
  MAX_PAYLOAD_BYTES,
  type ReasonCode,
  type Rejection,
} from "./reading.js";
import type { SensorRegistry } from "./sensor.js";

export interface ValidationContext {
  readonly registry: SensorRegistry;
  /** Epoch ms: the store's clock, against which the time window is checked. */
  readonly now: number;
  /** Oldest reading the store accepts, as an age in ms. */
  readonly maxReadingAgeMs: number;
}

export type ValidationResult =
  | { readonly ok: true; readonly reading: EnrichedReading }
  | { readonly ok: false; readonly rejection: Rejection };

export const REQUIRED_FIELDS = ["sensor_id", "timestamp", "pm25", "temperature", "humidity", "co2"] as const;

/** Inclusive bounds of the numeric fields; `integer` ones are stored as BIGINT. */
export const FIELD_RANGES = {
  pm25: { min: 0, max: 1000, integer: false },
  temperature: { min: -40, max: 85, integer: false },
  humidity: { min: 0, max: 100, integer: false },
  co2: { min: 250, max: 10_000, integer: true },
  battery: { min: 0, max: 100, integer: false },
  rssi: { min: -150, max: 0, integer: true },
} as const;
type NumericField = keyof typeof FIELD_RANGES;

export const MAX_FIRMWARE_LENGTH = 32;

const TOPIC_PREFIX = "kaikai/sensors/";
const TOPIC_SUFFIX = "/telemetry";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

const reject = (reason: ReasonCode, detail: string): ValidationResult => ({ ok: false, rejection: { reason, detail } });

/** Validates one message and, when it is a good reading, enriches it from the registry. Never throws. */
export function validateMessage(message: InboundMessage, context: ValidationContext): ValidationResult {
  const { payload } = message;
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return reject("payload_too_large", `${payload.byteLength} bytes, the limit is ${MAX_PAYLOAD_BYTES}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(strictUtf8.decode(payload));
  } catch (error) {
    return reject("malformed_json", error instanceof Error ? error.message : "not UTF-8 JSON");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return reject("not_an_object", `the payload is ${describeJsonType(document)}, not a JSON object`);
  }
  return validateDocument(document as Record<string, unknown>, message, context);
}

function validateDocument(
  fields: Record<string, unknown>,
  message: InboundMessage,
  context: ValidationContext,
): ValidationResult {
  if (
    fields.sensor_id === undefined ||
    fields.timestamp === undefined ||
    fields.pm25 === undefined ||
    fields.temperature === undefined ||
    fields.humidity === undefined ||
    fields.co2 === undefined
  ) {
    const missing = REQUIRED_FIELDS.filter((name) => fields[name] === undefined);
    return reject("missing_field", `missing ${missing.join(", ")}`);
  }

  const { sensor_id: sensorId, timestamp: rawTimestamp, pm25, temperature, humidity, co2 } = fields;
  const { battery, rssi, firmware } = fields;
  if (typeof sensorId !== "string") return reject("wrong_type", "sensor_id must be a string");
  const timestamp = parseTimestamp(rawTimestamp);
  if (typeof timestamp === "string") return reject("wrong_type", timestamp);
  const typeProblem =
    checkNumberType("pm25", pm25) ??
    checkNumberType("temperature", temperature) ??
    checkNumberType("humidity", humidity) ??
    checkNumberType("co2", co2) ??
    (battery === undefined ? undefined : checkNumberType("battery", battery)) ??
    (rssi === undefined ? undefined : checkNumberType("rssi", rssi)) ??
    (firmware === undefined || typeof firmware === "string" ? undefined : "firmware must be a string");
  if (typeProblem !== undefined) return reject("wrong_type", typeProblem);

  // The casts hold: every numeric field passed its type check above.
  const rangeProblem =
    checkRange("pm25", pm25 as number) ??
    checkRange("temperature", temperature as number) ??
    checkRange("humidity", humidity as number) ??
    checkRange("co2", co2 as number) ??
    (battery === undefined ? undefined : checkRange("battery", battery as number)) ??
    (rssi === undefined ? undefined : checkRange("rssi", rssi as number)) ??
    (typeof firmware === "string" && firmware.length > MAX_FIRMWARE_LENGTH
      ? `firmware is ${firmware.length} characters, the limit is ${MAX_FIRMWARE_LENGTH}`
      : undefined);
  if (rangeProblem !== undefined) return reject("out_of_range", rangeProblem);

  const topicSensorId = sensorIdFromTopic(message.topic);
  if (topicSensorId === undefined) {
    return reject(
      "sensor_mismatch",
      `topic ${JSON.stringify(message.topic)} is not ${TOPIC_PREFIX}{id}${TOPIC_SUFFIX}`,
    );
  }
  if (topicSensorId !== sensorId) {
    return reject(
      "sensor_mismatch",
      `payload sensor_id ${JSON.stringify(sensorId)} differs from topic's ${topicSensorId}`,
    );
  }
  const sensor = context.registry.get(sensorId);
  if (sensor === undefined) return reject("unknown_sensor", `${sensorId} is not in the sensor registry`);

  if (timestamp > context.now + MAX_FUTURE_SKEW_MS) {
    return reject(
      "timestamp_in_future",
      `${isoOrRaw(timestamp)} is more than 15 minutes ahead of ${isoOrRaw(context.now)}`,
    );
  }
  const oldest = context.now - context.maxReadingAgeMs;
  if (timestamp < oldest) {
    return reject("timestamp_too_old", `${isoOrRaw(timestamp)} is older than the oldest accepted, ${isoOrRaw(oldest)}`);
  }

  return {
    ok: true,
    reading: {
      sensorId,
      timestamp,
      pm25: pm25 as number,
      temperature: temperature as number,
      humidity: humidity as number,
      co2: co2 as number,
      ...(battery === undefined ? {} : { battery: battery as number }),
      ...(rssi === undefined ? {} : { rssi: rssi as number }),
      ...(firmware === undefined ? {} : { firmware: firmware as string }),
      locationName: sensor.locationName,
      zone: sensor.zone,
      city: sensor.city,
      receivedAt: message.receivedAt,
    },
  };
}

/** The sensor id of a `kaikai/sensors/{id}/telemetry` topic, or undefined for any other topic. */
export function sensorIdFromTopic(topic: string): string | undefined {
  if (!topic.startsWith(TOPIC_PREFIX) || !topic.endsWith(TOPIC_SUFFIX)) return undefined;
  const id = topic.slice(TOPIC_PREFIX.length, topic.length - TOPIC_SUFFIX.length);
  return id.length > 0 && !id.includes("/") ? id : undefined;
}

function checkNumberType(name: NumericField, value: unknown): string | undefined {
  if (typeof value !== "number") return `${name} must be a number`;
  if (FIELD_RANGES[name].integer && !Number.isInteger(value)) return `${name} must be an integer`;
  return undefined;
}

function checkRange(name: NumericField, value: number): string | undefined {
  const { min, max } = FIELD_RANGES[name];
  return value >= min && value <= max ? undefined : `${name} ${value} is outside ${min}..${max}`;
}

// Extended ISO 8601 date-time with a mandatory zone (Z or ±hh:mm); seconds and fraction optional.
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * Epoch ms of a contract timestamp, or the reason it is not one (a string). A zoneless ISO
 * string names no instant, so it is a wrong_type like an impossible date, not an out_of_range.
 */
export function parseTimestamp(value: unknown): number | string {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) ? value : "timestamp as a number must be integer epoch milliseconds";
  }
  if (typeof value !== "string") return "timestamp must be an ISO 8601 string with a zone or integer epoch ms";
  const match = ISO_INSTANT.exec(value);
  if (match === null) {
    return /^\d{4}-\d{2}-\d{2}T[\d:.,]+$/.test(value)
      ? "timestamp has no zone: add Z or an offset such as +00:00"
      : "timestamp must be an ISO 8601 string with a zone or integer epoch ms";
  }
  const [, year, month, day, hour, minute, second = "0", fraction = "", zulu, sign, offsetHours, offsetMinutes] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  const oh = zulu === undefined ? Number(offsetHours) : 0;
  const om = zulu === undefined ? Number(offsetMinutes) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59 || oh > 23 || om > 59) {
    return `timestamp ${value} is not a valid date and time`;
  }
  const milliseconds = Number(fraction.slice(0, 3).padEnd(3, "0"));
  const offsetMs = (oh * 60 + om) * 60_000 * (sign === "-" ? -1 : 1);
  return utcEpochMs(y, mo, d, h, mi, s, milliseconds) - offsetMs;
}

function utcEpochMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
) {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC reads years 0..99 as 1900..1999; setUTCFullYear does not.
  return new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms)).setUTCFullYear(year);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function isoOrRaw(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? String(epochMs) : date.toISOString();
}

function describeJsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
