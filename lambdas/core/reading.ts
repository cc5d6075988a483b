import type { Zone } from "./sensor.js";

/** One stable code per way a reading can be refused (ARCHITECTURE.md, the message contract). */
export const REASON_CODES = [
  "malformed_json",
  "not_an_object",
  "payload_too_large",
  "missing_field",
  "wrong_type",
  "out_of_range",
  "sensor_mismatch",
  "unknown_sensor",
  "timestamp_in_future",
  "timestamp_too_old",
  "store_rejected",
  "conflicting_duplicate",
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const MAX_PAYLOAD_BYTES = 8 * 1024;
/** The contract refuses readings more than 15 minutes ahead of the clock that receives them (the strictest store's limit). */
export const MAX_FUTURE_SKEW_MS = 15 * 60 * 1000;

/** A message as it reached us, before anything is trusted. */
export interface InboundMessage {
  readonly payload: Uint8Array;
  readonly topic: string;
  /** Epoch ms at which the broker received it. */
  readonly receivedAt: number;
}

/** A reading that passed validation. Unknown payload fields are dropped, never kept. */
export interface Reading {
  readonly sensorId: string;
  /** Epoch ms. */
  readonly timestamp: number;
  readonly pm25: number;
  readonly temperature: number;
  readonly humidity: number;
  readonly co2: number;
  readonly battery?: number;
  readonly rssi?: number;
  readonly firmware?: string;
}

/** A valid reading with its registry context and receive time: what the store is given. */
export interface EnrichedReading extends Reading {
  readonly locationName: string;
  readonly zone: Zone;
  readonly city: string;
  /** Epoch ms at which the broker received it: kept with the reading, never part of its identity. */
  readonly receivedAt: number;
}

export interface Rejection {
  readonly reason: ReasonCode;
  /** Human-readable detail: the field, the bound, the store's own message. */
  readonly detail: string;
}
