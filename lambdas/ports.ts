/**
 * The interfaces the use cases (lambdas/use-cases) need from the outside world. AWS adapters
 * (lambdas/aws), local adapters (local/) and test fakes implement them; use cases only ever see
 * these.
 */
import type {
  DailySummary,
  HourlyAggregate,
  HourlySummary,
  HourRange,
  SensorHourBin,
  ZoneAggregate,
  ZoneSummary,
} from "./core/aggregates.js";
import type { AlertNotice, SensorAlertStates } from "./core/alerts.js";
import type { EnrichedReading, ReasonCode } from "./core/reading.js";

export interface Clock {
  /** Epoch ms. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface StoreRejection {
  /** Index of the refused reading in the array given to `write`. */
  readonly index: number;
  /**
   * `conflicting_duplicate`: the store already holds a reading of this sensor and time with other
   * values, and keeps it; `store_rejected`: the store refused the reading for another reason.
   */
  readonly code: "store_rejected" | "conflicting_duplicate";
  /** The store's own words. */
  readonly reason: string;
}

export interface StoreWriteResult {
  /** Readings the store refused for good: they go to the quarantine. */
  readonly rejected: readonly StoreRejection[];
  /**
   * Indexes of readings the store could not take now (still throttled after its retries): they
   * are delivered again, and nothing else of the call is.
   */
  readonly unwritten: readonly number[];
}

export const ALL_WRITTEN: StoreWriteResult = { rejected: [], unwritten: [] };

/**
 * Where valid readings are kept. A stored reading is immutable (ARCHITECTURE.md): writing the same
 * sensor and time again with the same values is a no-op that counts as stored, and with other
 * values leaves the stored reading as it is and comes back as a `conflicting_duplicate`.
 */
export interface ReadingStore {
  /** The most readings one `write` call accepts (Timestream: 100). */
  readonly maxBatchSize: number;
  /**
   * Stores readings. Readings the store refuses for good come back as rejections, readings it
   * could not take yet as unwritten; a transient failure of the whole call (throttling, 5xx, I/O)
   * throws, and then none of the readings count as stored.
   */
  write(readings: readonly EnrichedReading[]): Promise<StoreWriteResult>;
}

/** A refused reading, kept whole so that it can be inspected and replayed. */
export interface QuarantineEntry {
  readonly reason: ReasonCode;
  readonly detail: string;
  readonly topic: string;
  /** The sensor the topic names, when the topic has the telemetry shape. */
  readonly sensorId?: string;
  /** ISO 8601, UTC. */
  readonly receivedAt: string;
  /** The raw payload: UTF-8 text when it decodes as such, otherwise base64. */
  readonly payload: string;
  readonly payloadEncoding: "utf8" | "base64";
}

export interface Quarantine {
  /** Keeps the entries durably or throws; callers retry the readings when it throws. */
  put(entries: readonly QuarantineEntry[]): Promise<void>;
}

/** Told about readings once they are stored. It must never make storage fail. */
export interface StoredReadingsListener {
  onStored(readings: readonly EnrichedReading[]): Promise<void>;
}

/**
 * Hours that readings were stored for after their scheduled roll-up had passed them: ingest
 * notes them (an SQS queue in AWS), the next scheduled hourly roll-up takes them.
 */
export interface LateHoursSink {
  note(hourStarts: readonly number[]): Promise<void>;
}

export interface LateHoursSource {
  /** What was noted so far; `done` once those hours are rolled up again, so that they are not taken twice. */
  take(): Promise<{ readonly hourStarts: readonly number[]; done(): Promise<void> }>;
}

/** Starts the zone roll-up of a range (in AWS, an asynchronous invocation of its function). */
export interface ZoneRollupTrigger {
  rollUp(range: HourRange): Promise<void>;
}

/** Where alert notices go (SNS and MQTT in AWS; console, MQTT, webhook locally). */
export interface AlertSink {
  /** Delivers the notice or throws; the caller keeps the alert state unchanged when it throws. */
  publish(notice: AlertNotice): Promise<void>;
}

/** A sensor's alert states with the version they were read at; version null: never saved. */
export interface VersionedAlertStates {
  readonly states: SensorAlertStates;
  readonly version: number | null;
}

/** Thrown by `AlertStateStore.save` when the stored version is not the expected one. */
export class VersionConflictError extends Error {
  constructor(readonly sensorId: string) {
    super(`alert state of ${sensorId} changed since it was read`);
    this.name = "VersionConflictError";
  }
}

/** Per-sensor alert state with optimistic locking (a named device shadow in AWS, a table locally). */
export interface AlertStateStore {
  /** A sensor with no saved state gives `{ states: {}, version: null }`. */
  load(sensorId: string): Promise<VersionedAlertStates>;
  /**
   * Replaces the sensor's states if the stored version is still `expectedVersion` (null: nothing
   * stored yet); otherwise throws VersionConflictError and changes nothing.
   */
  save(sensorId: string, states: SensorAlertStates, expectedVersion: number | null): Promise<void>;
}

/** The measurements binned by sensor and hour: count, sum, min, max of each measure. */
export interface HourlyBinSource {
  /** Bins of every hour in the range; a sensor-hour without readings has no bin. */
  bins(range: HourRange): Promise<readonly SensorHourBin[]>;
}

export interface HourlyAggregateWriter {
  /** Upserts the rows: a row with the same sensor and hour and a lower version is replaced. */
  writeHourly(rows: readonly HourlyAggregate[], version: number): Promise<void>;
}

export interface HourlyAggregateSource {
  /** The latest version of every hourly row in the range. */
  hourly(range: HourRange): Promise<readonly HourlyAggregate[]>;
}

export interface ZoneAggregateWriter {
  /** Upserts the rows: a row with the same zone and hour and a lower version is replaced. */
  writeZones(rows: readonly ZoneAggregate[], version: number): Promise<void>;
}

/** Roll-up summaries for live dashboards (`kaikai/aggregates/hourly` and `kaikai/aggregates/zones`). */
export interface AggregatePublisher {
  publishHourly(summary: HourlySummary): Promise<void>;
  publishZones(summary: ZoneSummary): Promise<void>;
  /** `kaikai/aggregates/daily`, once a local day's last hour is rolled up. */
  publishDaily(summary: DailySummary): Promise<void>;
}

/** What the use cases log through: a Powertools Logger fits, so does a test fake. */
export interface HandlerLogger {
  info(message: string, ...attributes: Readonly<Record<string, unknown>>[]): void;
  warn(message: string, ...attributes: Readonly<Record<string, unknown>>[]): void;
  error(message: string, ...attributes: Readonly<Record<string, unknown>>[]): void;
}

/** The units the use cases report in: values of Powertools' MetricUnit, which takes them as they are. */
export const MetricUnit = { Count: "Count", Milliseconds: "Milliseconds", Percent: "Percent" } as const;
export type MetricUnit = (typeof MetricUnit)[keyof typeof MetricUnit];

/**
 * What the use cases count with: a Powertools Metrics instance fits (its `logMetrics` middleware
 * flushes them after each invocation), so does a test fake or the local mode's no-op.
 */
export interface HandlerMetrics {
  addMetric(name: string, unit: MetricUnit, value: number): unknown;
  /** A metric set of its own, so that a dimension added to it stays off the others. */
  singleMetric(): Pick<HandlerMetrics, "addMetric"> & { addDimension(name: string, value: string): unknown };
}

/** Metrics that go nowhere, for a home without CloudWatch (the local mode has its own counters). */
export const noMetrics: HandlerMetrics = {
  addMetric: () => undefined,
  singleMetric: () => ({ addMetric: () => undefined, addDimension: () => undefined }),
};
