/**
 * The simulator run: first the last hours of readings with their past timestamps (a backfill,
 * with a dust episode that comes and goes, so roll-ups, a zone ranking and an alert that opens
 * and resolves appear at once), then live readings at a steady rate until told to stop.
 */
import type { Sensor, SensorRegistry } from "../../lambdas/core/sensor.js";
import { HOUR_MS } from "../../lambdas/core/time.js";
import { chooseFault, encodeReading, FAULT_KINDS, type FaultKind, type FaultRates } from "./faults.js";
import { DEFAULT_DUST_PEAK_PM25, type DustEpisode, simulateReading } from "./model.js";
import { openPublisher, type PublishTarget } from "./publisher.js";
import { mixHash, seededRandom } from "./random.js";

export interface SimulatorOptions {
  readonly target: PublishTarget;
  /** The sensors that publish, from the registry. */
  readonly sensors: readonly Sensor[];
  /** The whole registry, so that an "unknown sensor" fault is really unknown. */
  readonly registry: SensorRegistry;
  /** Live readings per second, across all sensors; at most one per sensor per millisecond. */
  readonly ratePerSecond: number;
  readonly faults: FaultRates;
  /** Hours of past readings sent first, at each sensor's reporting interval; 0 for none. */
  readonly backfillHours: number;
  /**
   * Each sensor's newest reading already stored (epoch ms): its backfill starts after it, so that a
   * restart sends only the gap. @default none stored
   */
  readonly storedUntil?: ReadonlyMap<string, number>;
  /** Stops after this many seconds of live readings. */
  readonly durationSeconds?: number;
  /** Stops after this many live readings. */
  readonly count?: number;
  readonly seed: number;
  /** Dust episodes; by default one inside the backfill window that is over by the time live starts. */
  readonly dustEpisodes?: readonly DustEpisode[];
  readonly maxInFlight?: number;
  readonly connectTimeoutMs?: number;
  /** How long `stop` waits for outstanding acknowledgements. */
  readonly stopGraceMs?: number;
}

export interface SimulatorCounters {
  /** Readings generated, backfill and live. */
  readonly backfilled: number;
  readonly live: number;
  /** MQTT messages published (a duplicate is two) and their outcome. */
  readonly sent: number;
  readonly acked: number;
  readonly failed: number;
  readonly inFlight: number;
  /** Readings that carried each fault. */
  readonly faults: Readonly<Record<FaultKind, number>>;
}

export interface SimulatorHandle {
  counters(): SimulatorCounters;
  /**
   * Settles once every backfill message is acknowledged or failed, before live readings start:
   * with a broker that acknowledges after storing, the backfill is then in the store.
   */
  readonly backfillDone: Promise<void>;
  /** Settles when the run ends: its duration or count is reached, or `stop` was called. */
  readonly done: Promise<SimulatorCounters>;
  /** Stops generating, waits for outstanding acknowledgements (within the grace) and disconnects. */
  stop(): Promise<SimulatorCounters>;
}

/** Readings generated per turn of the live loop before yielding to the event loop. */
const LIVE_BATCH = 500;
const DEFAULTS = { maxInFlight: 1000, connectTimeoutMs: 10_000, stopGraceMs: 10_000 } as const;

export const maxRatePerSecond = (sensorCount: number): number => sensorCount * 1000;

/** A dust episode in the middle of the backfill window, over (with its clearing hour) before it ends. */
export function defaultDustEpisodes(now: number, backfillHours: number): DustEpisode[] {
  if (backfillHours < 3) return [];
  const hours = Math.min(4, backfillHours / 5);
  return [{ start: now - backfillHours * 0.6 * HOUR_MS, hours, peakPm25: DEFAULT_DUST_PEAK_PM25 }];
}

interface Slot {
  readonly sensor: Sensor;
  readonly time: number;
}

/**
 * Past reading times of every sensor on its reporting grid within the window and after its newest
 * stored reading, oldest first.
 */
export function backfillSlots(
  sensors: readonly Sensor[],
  now: number,
  hours: number,
  storedUntil: ReadonlyMap<string, number> = new Map(),
): Slot[] {
  const slots: Slot[] = [];
  for (const sensor of sensors) {
    const interval = sensor.reportingIntervalSeconds * 1000;
    const after = Math.max(now - hours * HOUR_MS, storedUntil.get(sensor.sensorId) ?? Number.NEGATIVE_INFINITY);
    for (let time = Math.floor(now / interval) * interval; time > after; time -= interval) {
      slots.push({ sensor, time });
    }
  }
  return slots.sort((a, b) => a.time - b.time);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startSimulator(options: SimulatorOptions): Promise<SimulatorHandle> {
  const { sensors, ratePerSecond } = options;
  if (sensors.length === 0) throw new RangeError("the simulator needs at least one sensor");
  if (!(ratePerSecond > 0 && ratePerSecond <= maxRatePerSecond(sensors.length))) {
    throw new RangeError(`rate must be above 0 and at most ${maxRatePerSecond(sensors.length)} readings/s`);
  }
  const publisher = await openPublisher({
    target: options.target,
    sensorIds: sensors.map((sensor) => sensor.sensorId),
    maxInFlight: options.maxInFlight ?? DEFAULTS.maxInFlight,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
  });

  const startedAt = Date.now();
  const model = {
    seed: options.seed,
    dustEpisodes: options.dustEpisodes ?? defaultDustEpisodes(startedAt, options.backfillHours),
    sensorFaults: options.faults,
  };
  const faultRandom = seededRandom(mixHash(options.seed, 0xfa17));
  const faultCounts = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  let backfilled = 0;
  let live = 0;
  let stopping = false;

  const send = async (sensor: Sensor, time: number): Promise<void> => {
    const fault = chooseFault(options.faults, faultRandom);
    if (fault !== null) faultCounts[fault]++;
    const reading = simulateReading(sensor, time, model);
    for (const message of encodeReading(reading, fault, options.registry, faultRandom)) {
      await publisher.publish(message.topic, message.payload);
    }
  };

  const lastTime = new Map<string, number>();
  const runBackfill = async (): Promise<void> => {
    for (const { sensor, time } of backfillSlots(sensors, startedAt, options.backfillHours, options.storedUntil)) {
      if (stopping) return;
      await send(sensor, time);
      lastTime.set(sensor.sensorId, time);
      backfilled++;
    }
  };

  const runLive = async (): Promise<void> => {
    const liveStart = Date.now();
    const endAt = options.durationSeconds === undefined ? Number.POSITIVE_INFINITY : options.durationSeconds * 1000;
    const limit = options.count ?? Number.POSITIVE_INFINITY;
    while (!stopping && live < limit) {
      const elapsed = Date.now() - liveStart;
      if (elapsed >= endAt) return;
      const due = Math.min(Math.floor((elapsed / 1000) * ratePerSecond), limit) - live;
      if (due <= 0) {
        await sleep(Math.max(1, Math.ceil(((live + 1) / ratePerSecond) * 1000 - elapsed)));
        continue;
      }
      for (let index = 0; index < Math.min(due, LIVE_BATCH) && !stopping; index++) {
        const sensor = sensors[live % sensors.length];
        if (sensor === undefined) return;
        // Strictly increasing per sensor: the store keys readings on (sensor, time).
        const time = Math.max(Date.now(), (lastTime.get(sensor.sensorId) ?? 0) + 1);
        lastTime.set(sensor.sensorId, time);
        await send(sensor, time);
        live++;
      }
      await sleep(0);
    }
  };

  const counters = (): SimulatorCounters => ({ backfilled, live, ...publisher.counts(), faults: { ...faultCounts } });
  const stopGraceMs = options.stopGraceMs ?? DEFAULTS.stopGraceMs;
  const backfillDone = runBackfill().then(() => publisher.flush());
  const run = backfillDone.then(runLive);
  const done = run.finally(() => publisher.close(stopGraceMs)).then(counters);
  // Whoever starts the run may only ever call stop(); a failure still reaches them through it.
  done.catch(() => undefined);
  backfillDone.catch(() => undefined);

  return {
    counters,
    backfillDone,
    done,
    stop() {
      stopping = true;
      // Closing also releases a loop that waits for room while the broker is away.
      publisher.close(stopGraceMs).catch(() => undefined);
      return done;
    },
  };
}
