import type { ZoneSummary } from "../../lambdas/core/aggregates.js";
import { HOURLY_AGGREGATES_TOPIC, ZONE_AGGREGATES_TOPIC } from "../../lambdas/core/reading.js";
import { makeHourlyRollupHandler } from "../../lambdas/handlers/hourly-rollup.js";
import { makeZoneRollupHandler } from "../../lambdas/handlers/zone-rollup.js";
import { type AggregatePublisher, systemClock } from "../../lambdas/ports.js";
import { REGISTRY, SENSORS } from "../../lib/config/sensors.js";
import { loadStagesFromCdkJson } from "../../lib/config/stages.js";
import type { FaultRates } from "../simulator/faults.js";
import { withoutPassword } from "../simulator/publisher.js";
import { type SimulatorHandle, startSimulator } from "../simulator/simulator.js";
import { makeSqliteAlertStateStore } from "../sqlite/alert-state-store.js";
import { makeSqliteRollupStore } from "../sqlite/rollup-store.js";
import { makeLocalAlertSink } from "./alert-sink.js";
import { type BrokerAuth, ConfigError } from "./broker-config.js";
import { startEmbeddedBroker } from "./embedded-broker.js";
import { startExternalSubscriber } from "./external-subscriber.js";
import { makeIngestRuntime } from "./ingest-runtime.js";
import { openLocalStore } from "./local-store.js";
import { makeLocalObservability } from "./observability.js";
import { everyHourAt } from "./scheduler.js";
import type { Terminal } from "./terminal.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface StartOptions {
  readonly dbPath: string;
  /** Embedded broker: the interface and port (undefined: 1883 or the next free one). */
  readonly host: string;
  readonly port?: number;
  /** An existing broker instead of the embedded one. */
  readonly brokerUrl?: string;
  readonly auth: BrokerAuth;
  readonly webhook?: URL;
  readonly simulate: boolean;
  readonly simulator?: { readonly ratePerSecond: number; readonly backfillHours: number; readonly faults: FaultRates };
  readonly terminal: Terminal;
  readonly statusIntervalMs?: number;
}

export interface RunningPipeline {
  /** Where sensors publish, without any password it holds. */
  readonly brokerUrl: string;
  /** Settles once the startup roll-ups ran (after the simulator's backfill when it simulates). */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/** The simulator's defaults under `npm start`: a few faults so that the quarantine has something to show. */
const START_SIMULATOR = {
  ratePerSecond: 5,
  backfillHours: 24,
  faults: { malformed: 0.002, out_of_range: 0.002, unknown_sensor: 0.001, duplicate: 0.01 },
} as const;

function describeRanking(summary: ZoneSummary): string {
  const zones = summary.ranking.map((zone) =>
    zone.pm25Mean === null
      ? `${zone.zone}: no readings`
      : `${zone.rank}. ${zone.zone} ${zone.pm25Mean.toFixed(1)} ug/m3 ${zone.evaluation} (AQI ${zone.aqi})`,
  );
  return `zone ranking, hour from ${summary.hour.slice(0, 16).replace("T", " ")} UTC: ${zones.join(" | ")}`;
}

/** The embedded broker's URL as the simulator must use it: logged in when the broker asks for a password. */
function simulatorUrl(brokerUrl: string, auth: BrokerAuth): string {
  if (auth.password === undefined) return brokerUrl;
  const url = new URL(brokerUrl);
  url.username = auth.password.username;
  url.password = auth.password.password;
  return url.href;
}

export async function startLocalPipeline(options: StartOptions): Promise<RunningPipeline> {
  const { terminal } = options;
  // The simulator connects like any sensor, and has no certificate to show a TLS broker.
  if (options.simulate && options.brokerUrl === undefined && options.auth.tls !== undefined) {
    throw new ConfigError("the simulator cannot connect to a TLS broker: add --no-simulate");
  }
  const devStage = loadStagesFromCdkJson().dev;
  const observability = makeLocalObservability();
  const db = openLocalStore(options.dbPath);
  const alertStates = makeSqliteAlertStateStore(db);
  const rollupStore = makeSqliteRollupStore(db);

  // Bound once the broker is up: the broker needs ingest, which needs this sink, which publishes on the broker.
  let publish: (topic: string, payload: string) => Promise<void> = async () => undefined;
  const sink = makeLocalAlertSink({
    publishMqtt: (topic, payload) => publish(topic, payload),
    print: (line) => terminal.print(line),
    ...(options.webhook === undefined ? {} : { webhook: options.webhook }),
  });
  const ingest = makeIngestRuntime({
    db,
    registry: REGISTRY,
    clock: systemClock,
    maxReadingAgeMs: devStage.magneticRetentionDays * DAY_MS,
    alertRules: devStage.alertRules,
    alertStates,
    alertSink: sink,
    observability,
  });

  let transport: { publish(topic: string, payload: string): Promise<void>; close(): Promise<void> };
  let brokerUrl: string;
  let simulatorTarget: string;
  let stopAccepting = (): void => undefined;
  try {
    if (options.brokerUrl === undefined) {
      const broker = await startEmbeddedBroker({
        host: options.host,
        ...(options.port === undefined ? {} : { port: options.port }),
        auth: options.auth,
        ingest: (message) => ingest.ingest(message),
      });
      transport = broker;
      brokerUrl = broker.url;
      simulatorTarget = simulatorUrl(broker.url, options.auth);
      stopAccepting = () => broker.stopAccepting();
    } else {
      transport = await startExternalSubscriber({
        url: options.brokerUrl,
        ingest: (message) => ingest.ingest(message),
        onError: (line) => terminal.print(line),
      });
      brokerUrl = options.brokerUrl;
      simulatorTarget = options.brokerUrl;
    }
  } catch (error) {
    db.close();
    throw error;
  }
  publish = (topic, payload) => transport.publish(topic, payload);

  let simulator: SimulatorHandle | undefined;
  if (options.simulate) {
    try {
      simulator = await startSimulator({
        target: { kind: "broker", url: simulatorTarget },
        sensors: SENSORS,
        registry: REGISTRY,
        seed: 1,
        ...(options.simulator ?? START_SIMULATOR),
      });
    } catch (error) {
      // A listening broker would keep the process alive after the error is printed.
      stopAccepting();
      await ingest.close();
      await transport.close();
      db.close();
      throw error;
    }
  }

  const aggregatePublisher: AggregatePublisher = {
    publishHourly: (summary) => publish(HOURLY_AGGREGATES_TOPIC, JSON.stringify(summary)),
    publishZones: (summary) => publish(ZONE_AGGREGATES_TOPIC, JSON.stringify(summary)),
  };
  const alerting = { rules: devStage.alertRules, states: alertStates, sink };
  const hourlyRollup = makeHourlyRollupHandler({
    registry: REGISTRY,
    bins: rollupStore,
    writer: rollupStore,
    publisher: aggregatePublisher,
    alerting,
    clock: systemClock,
    ...observability,
  });
  const zoneRollup = makeZoneRollupHandler({
    hourly: rollupStore,
    writer: rollupStore,
    publisher: aggregatePublisher,
    clock: systemClock,
    ...observability,
  });

  const running = new Set<Promise<unknown>>();
  const track = <T>(job: Promise<T>): Promise<T> => {
    running.add(job);
    return job.finally(() => running.delete(job));
  };
  const reportError = (what: string) => (error: unknown) =>
    terminal.print(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  const runZoneRollup = async (event: unknown) => {
    const result = await track(zoneRollup(event));
    if (result.latest !== null) terminal.print(describeRanking(result.latest));
  };
  const schedules = [
    everyHourAt(5, () => track(hourlyRollup({})), reportError("hourly roll-up")),
    everyHourAt(10, () => runZoneRollup({}), reportError("zone roll-up")),
  ];

  const startedAt = Date.now();
  let previous = { at: startedAt, handled: 0 };
  const showStatus = () => {
    const { stored, quarantined } = ingest.counters();
    const now = Date.now();
    const perSecond = ((stored + quarantined - previous.handled) * 1000) / Math.max(1, now - previous.at);
    previous = { at: now, handled: stored + quarantined };
    terminal.status(
      `${Math.round(perSecond)} readings/s | stored ${stored} | quarantined ${quarantined} | open alerts ${alertStates.openAlerts()} | ${withoutPassword(brokerUrl)}`,
    );
  };
  const ticker = setInterval(showStatus, options.statusIntervalMs ?? 1000);

  let stopping = false;
  const ready = (async () => {
    // The embedded broker acknowledges a reading once stored: an acknowledged backfill is in the
    // database. Stopping settles it too.
    if (simulator !== undefined) await simulator.backfillDone;
    if (stopping) return;
    // The last day at once, so that hourly rows, a zone ranking and hourly alerts show now rather
    // than at :05; from its first complete hour, as the backfill's partial first hour would read as
    // sensors gone quiet.
    const currentHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    const lastDay = {
      from: new Date(currentHour - DAY_MS + HOUR_MS).toISOString(),
      to: new Date(currentHour).toISOString(),
    };
    await track(hourlyRollup(lastDay));
    await runZoneRollup(lastDay);
  })().catch(reportError("startup roll-up"));

  let stopped: Promise<void> | undefined;
  const stop = async () => {
    stopping = true;
    clearInterval(ticker);
    for (const schedule of schedules) schedule.stop();
    await simulator?.stop().catch(() => undefined);
    stopAccepting();
    await ingest.close();
    await Promise.allSettled([...running]);
    await sink.settled();
    await transport.close();
    showStatus();
    terminal.end();
    db.close();
  };
  return {
    brokerUrl: withoutPassword(brokerUrl),
    ready,
    stop() {
      stopped ??= stop();
      return stopped;
    },
  };
}
