import type { QualityFlag } from "./quality.js";
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
  /** A second PM2.5 channel, where the sensor has one (the contract's pm25_b). */
  readonly pm25B?: number;
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
  /** PM2.5 corrected for the sensor's instrument (core/correction.ts); null when it cannot be. Beside pm25, never instead. */
  readonly pm25Corrected: number | null;
  /** The correction's label, identifier@version. */
  readonly correction: string;
  /** The quality flags the reading raises on its own; its neighbours' are the roll-up's. */
  readonly flags: readonly QualityFlag[];
}

export interface Rejection {
  readonly reason: ReasonCode;
  /** Human-readable detail: the field, the bound, the store's own message. */
  readonly detail: string;
}
