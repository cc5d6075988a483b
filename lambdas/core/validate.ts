/**
 * Validation and enrichment of one inbound message, exactly per the message contract of
 * ARCHITECTURE.md. Hand-checked rather than a zod schema: this runs once per reading on the hot
 * path, and each failure must map to one stable reason code in a fixed order:
 * payload_too_large, malformed_json, not_an_object, missing_field, wrong_type, out_of_range,
 * sensor_mismatch, unknown_sensor, timestamp_in_future, timestamp_too_old.
 */
import { isUtf8 } from "node:buffer";
import { assessReading } from "./quality.js";
import {
  type EnrichedReading,
  type InboundMessage,
  MAX_FUTURE_SKEW_MS,
  MAX_PAYLOAD_BYTES,
  type ReasonCode,
  type Rejection,
} from "./reading.js";
import type { SensorRegistry } from "./sensor.js";
import { sensorIdFromTopic, TELEMETRY_TOPIC_SHAPE } from "./topics.js";

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
  pm25_b: { min: 0, max: 1000, integer: false },
  battery: { min: 0, max: 100, integer: false },
  rssi: { min: -150, max: 0, integer: true },
} as const;
type NumericField = keyof typeof FIELD_RANGES;

export const MAX_FIRMWARE_LENGTH = 32;

const reject = (reason: ReasonCode, detail: string): ValidationResult => ({ ok: false, rejection: { reason, detail } });

/** Validates one message and, when it is a good reading, enriches it from the registry. Never throws. */
export function validateMessage(message: InboundMessage, context: ValidationContext): ValidationResult {
  const { payload } = message;
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return reject("payload_too_large", `${payload.byteLength} bytes, the limit is ${MAX_PAYLOAD_BYTES}`);
  }
  const text = decodeUtf8(payload);
  if (text === undefined) return reject("malformed_json", "the payload is not valid UTF-8");
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return reject("malformed_json", error instanceof Error ? error.message : "not JSON");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return reject("not_an_object", `the payload is ${describeJsonType(document)}, not a JSON object`);
  }
  return validateDocument(document as Record<string, unknown>, message, context);
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * The payload as text, or undefined when it is not UTF-8: what a fatal TextDecoder gives (a
 * leading byte order mark dropped), at a fraction of its cost on the hot path, since `isUtf8` is
 * one native pass and `Buffer#toString` decodes without building an error on the way.
 */
export function decodeUtf8(payload: Uint8Array): string | undefined {
  if (!isUtf8(payload)) return undefined;
  const bytes = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const hasBom = bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
  return bytes.toString("utf8", hasBom ? UTF8_BOM.length : 0);
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
  const { battery, rssi, firmware, pm25_b: pm25B } = fields;
  if (typeof sensorId !== "string") return reject("wrong_type", "sensor_id must be a string");
  const timestamp = parseTimestamp(rawTimestamp);
  if (typeof timestamp === "string") return reject("wrong_type", timestamp);
  const typeProblem =
    checkNumberType("pm25", pm25) ??
    checkNumberType("temperature", temperature) ??
    checkNumberType("humidity", humidity) ??
    checkNumberType("co2", co2) ??
    (pm25B === undefined ? undefined : checkNumberType("pm25_b", pm25B)) ??
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
    (pm25B === undefined ? undefined : checkRange("pm25_b", pm25B as number)) ??
    (battery === undefined ? undefined : checkRange("battery", battery as number)) ??
    (rssi === undefined ? undefined : checkRange("rssi", rssi as number)) ??
    (typeof firmware === "string" && firmware.length > MAX_FIRMWARE_LENGTH
      ? `firmware is ${firmware.length} characters, the limit is ${MAX_FIRMWARE_LENGTH}`
      : undefined);
  if (rangeProblem !== undefined) return reject("out_of_range", rangeProblem);

  const topicSensorId = sensorIdFromTopic(message.topic);
  if (topicSensorId === undefined) {
    return reject("sensor_mismatch", `topic ${JSON.stringify(message.topic)} is not ${TELEMETRY_TOPIC_SHAPE}`);
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

  const values = {
    pm25: pm25 as number,
    temperature: temperature as number,
    humidity: humidity as number,
    co2: co2 as number,
    ...(pm25B === undefined ? {} : { pm25B: pm25B as number }),
  };
  return {
    ok: true,
    reading: {
      sensorId,
      timestamp,
      ...values,
      ...(battery === undefined ? {} : { battery: battery as number }),
      ...(rssi === undefined ? {} : { rssi: rssi as number }),
      ...(firmware === undefined ? {} : { firmware: firmware as string }),
      locationName: sensor.locationName,
      zone: sensor.zone,
      city: sensor.city,
      receivedAt: message.receivedAt,
      ...assessReading(values, sensor.pm25Correction),
    },
  };
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
  return parseCanonicalInstant(value) ?? parseIsoInstant(value);
}

/**
 * Epoch ms of the form nearly every sensor sends, `YYYY-MM-DDTHH:MM:SSZ` or with `.sss` before
 * the Z (what `Date#toISOString` writes), read by char codes and plain arithmetic; undefined for
 * anything else, valid or not, which `parseIsoInstant` then reads or explains. The regex, its
 * capture strings and `Date.UTC` were a fifth of the cost of a reading.
 */
export function parseCanonicalInstant(text: string): number | undefined {
  const withMillis = text.length === 24;
  if (!(text.length === 20 || withMillis) || text.charCodeAt(text.length - 1) !== CHAR_Z) return undefined;
  if (!hasSeparators(text, CANONICAL_SEPARATORS) || (withMillis && text.charCodeAt(19) !== CHAR_DOT)) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const millis = withMillis ? digitsAt(text, 20, 3) : 0;
  // Years 0..99 take the general path (see utcEpochMs); a negative value is a non-digit.
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || millis < 0) return undefined;
  return ((daysFromEpoch(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis;
}

const CHAR_0 = 48;
const CHAR_Z = 90;
const CHAR_DOT = 46;
/** The fixed punctuation of the canonical form, by position. */
const CANONICAL_SEPARATORS: readonly (readonly [number, number])[] = [
  [4, 45], // -
  [7, 45], // -
  [10, 84], // T
  [13, 58], // :
  [16, 58], // :
];

function hasSeparators(text: string, separators: typeof CANONICAL_SEPARATORS): boolean {
  for (const [at, code] of separators) if (text.charCodeAt(at) !== code) return false;
  return true;
}

/** The decimal number written by `count` ASCII digits from `start`, or -1 if one is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let at = start; at < start + count; at++) {
    const digit = text.charCodeAt(at) - CHAR_0;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date, by integer arithmetic (Howard Hinnant's
 * days_from_civil): the same as `Date.UTC(...) / 86_400_000`, without the call.
 */
function daysFromEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The general reading of any contract ISO string (offsets, no seconds, long fractions). */
export function parseIsoInstant(value: string): number | string {
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
