import { randomBytes, randomUUID } from "node:crypto";
import { registryOf } from "../../lambdas/core/sensor.js";
import { systemClock } from "../../lambdas/ports.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { loadStagesFromCdkJson, maxReadingAgeMs } from "../../lib/config/stages.js";
import { buildDashboard } from "../dashboard/build.js";
import { LiveEvents } from "../dashboard/live.js";
import { type BasicLogin, type DashboardServer, startDashboardServer } from "../dashboard/server.js";
import { databaseFileWatch, databaseWritableCheck } from "../health.js";
import { type FaultRates, NO_FAULTS } from "../simulator/faults.js";
import { fleetOf } from "../simulator/fleet.js";
import { withoutPassword } from "../simulator/publisher.js";
import { type SimulatorHandle, startSimulator } from "../simulator/simulator.js";
import { countOpenAlerts, makeSqliteAlertStateStore } from "../sqlite/alert-state-store.js";
import type { Db } from "../sqlite/database.js";
import { storedSoFar } from "../sqlite/reading-store.js";
import { lockDatabase } from "../sqlite/writer-lock.js";
import { makeLocalAlertSink } from "./alert-sink.js";
import { type BrokerAuth, ConfigError, isLoopback } from "./broker-config.js";
import { ADMIN, type Identities, makeIdentities, type SessionClient } from "./broker-identity.js";
import { createEmbeddedBroker } from "./embedded-broker.js";
import { externalBroker } from "./external-subscriber.js";
import { type IngestRuntime, makeIngestRuntime } from "./ingest-runtime.js";
import { makeLocalObservability } from "./local-observability.js";
import { openLocalStore } from "./local-store.js";
import type { MqttTransport } from "./mqtt-transport.js";
import { makePrometheusMetrics } from "./prometheus.js";
import { makeLocalRollups } from "./rollups.js";
import type { Terminal } from "./terminal.js";

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
  /** The registry's sensors and simulated ones up to this many (local/simulator/fleet.ts). @default the registry */
  readonly sensors?: number;
  /**
   * The dashboard, `/health` and `/metrics` on `host`; its port as the broker's (undefined: 8080
   * or the next free one). @default none
   */
  readonly http?: { readonly port?: number };
}

export interface RunningPipeline {
  /** Where sensors publish, without any password it holds. */
  readonly brokerUrl: string;
  /** The dashboard's address; undefined without `http`. */
  readonly dashboardUrl: string | undefined;
  /** What the database held already, when it held readings: the run resumes from it. */
  readonly resumed: { readonly readings: number; readonly newest: string } | undefined;
  /** Settles once the startup roll-ups ran (after the simulator's backfill when it simulates). */
  readonly ready: Promise<void>;
  /**
   * Settles, with what happened, only if the pipeline stopped on its own: its database file was
   * deleted or replaced, so it stopped acknowledging (sensors send again to the next run).
   */
  readonly failed: Promise<string>;
  stop(): Promise<void>;
}

/** How often the pipeline checks that its database file is still there. */
const DATABASE_FILE_WATCH_MS = 1000;

/** The simulator's defaults under `npm start`: a few faults so that the quarantine has something to show. */
const START_SIMULATOR = {
  ratePerSecond: 5,
  backfillHours: 24,
  faults: { ...NO_FAULTS, malformed: 0.002, out_of_range: 0.002, unknown_sensor: 0.001, duplicate: 0.01 },
} as const;

/**
 * The built-in simulator's login when the broker asks for one: it publishes for every sensor, so
 * it is an admin, with a random secret that lives only in this process.
 */
function simulatorLogin(auth: BrokerAuth): SessionClient | undefined {
  if (auth.clients === undefined) return undefined;
  return { username: `simulator-${randomUUID()}`, secret: randomBytes(24).toString("base64url"), role: ADMIN };
}

/** The embedded broker's URL as the simulator must use it: logged in when the broker asks for a password. */
function simulatorUrl(brokerUrl: string, login: SessionClient | undefined): string {
  if (login === undefined) return brokerUrl;
  const url = new URL(brokerUrl);
  url.username = login.username;
  url.password = login.secret;
  return url.href;
}

/**
 * Who may open the dashboard: anyone on loopback; beyond it, an observer or admin login of the
 * broker's config as HTTP basic credentials (a browser has no sensor certificate to show).
 */
function dashboardLogin(options: StartOptions, identities: Identities): BasicLogin | undefined {
  if (options.http === undefined || isLoopback(options.host)) return undefined;
  if (!(options.auth.clients ?? []).some((client) => client.role.kind !== "sensor")) {
    throw new ConfigError(
      `the dashboard on ${options.host} needs an observer or admin login in broker.clients of --config: add one, or --no-http`,
    );
  }
  return async (username, password) => {
    const role = await identities.byPassword(username, password);
    return role !== undefined && role.kind !== "sensor";
  };
}

/**
 * The whole pipeline in this process. Built in dependency order: the transport (which can publish
 * before it takes telemetry), the alert sink publishing through it, the ingest alerting through
 * the sink, then the transport started with that ingest; then the simulator and the roll-ups.
 */
export async function startLocalPipeline(options: StartOptions): Promise<RunningPipeline> {
  const { terminal } = options;
  // The simulator connects like any sensor, and has no certificate to show a TLS broker.
  if (options.simulate && options.brokerUrl === undefined && options.auth.tls !== undefined) {
    throw new ConfigError("the simulator cannot connect to a TLS broker: add --no-simulate");
  }
  const sensors = fleetOf(SENSORS, options.sensors ?? SENSORS.length);
  const registry = registryOf(sensors);
  const simulatorSession = options.simulate ? simulatorLogin(options.auth) : undefined;
  const identities = makeIdentities({
    ...(options.auth.clients === undefined ? {} : { clients: options.auth.clients }),
    ...(simulatorSession === undefined ? {} : { sessionClients: [simulatorSession] }),
    ...(options.auth.certificateRoles === undefined ? {} : { certificateRoles: options.auth.certificateRoles }),
    isSensor: (sensorId) => registry.has(sensorId),
  });
  const httpLogin = dashboardLogin(options, identities);
  const devStage = loadStagesFromCdkJson().dev;
  // Metrics are counted only where /metrics serves them.
  const web =
    options.http === undefined
      ? undefined
      : { ...options.http, assets: await buildDashboard(), prometheus: makePrometheusMetrics() };
  const observability = makeLocalObservability(process.env, web?.prometheus.handlerMetrics);
  const live = new LiveEvents();
  const lock = lockDatabase(options.dbPath);
  let db: Db;
  try {
    db = openLocalStore(options.dbPath, sensors);
  } catch (error) {
    lock.release();
    throw error;
  }
  const alertStates = makeSqliteAlertStateStore(db);
  // A restart backfills only what is missing: re-sending stored hours would quarantine their
  // simulated faults again and replay their alerts.
  const before = storedSoFar(db, registry.keys());

  const transport: MqttTransport =
    options.brokerUrl === undefined
      ? await createEmbeddedBroker({ host: options.host, port: options.port, auth: options.auth, identities }).catch(
          (error: unknown) => {
            db.close();
            lock.release();
            throw error;
          },
        )
      : externalBroker({ url: options.brokerUrl, onError: (line) => terminal.print(line) });
  // The dashboard sees what the pipeline publishes as an MQTT subscriber would; it can never keep
  // an alert from its subscribers.
  const publish = (topic: string, payload: string) => {
    try {
      live.published(topic, payload);
    } catch (error) {
      observability.logger.error("the dashboard's live stream missed a publish", { topic, error });
    }
    return transport.publish(topic, payload);
  };
  const sink = makeLocalAlertSink({
    publishMqtt: publish,
    print: (line) => terminal.print(line),
    language: devStage.alertLanguage,
    ...(options.webhook === undefined ? {} : { webhook: options.webhook }),
  });
  const ingest = makeIngestRuntime({
    db,
    registry,
    clock: systemClock,
    maxReadingAgeMs: maxReadingAgeMs(devStage),
    alertRules: devStage.alertRules,
    alertStates,
    alertSink: sink,
    observability,
    onStored: (readings) => live.stored(readings),
    onFailure: () => web?.prometheus.countError("ingest_batch"),
  });
  let dashboard: DashboardServer | undefined;
  const closeAll = async () => {
    transport.stopAccepting();
    await dashboard?.close();
    await ingest.close();
    await sink.settled();
    await transport.close();
    db.close();
    lock.release();
  };

  let brokerUrl: string;
  let simulator: SimulatorHandle | undefined;
  try {
    brokerUrl = await transport.start((message) => ingest.ingest(message));
    if (web !== undefined) {
      const writable = databaseWritableCheck(db, options.dbPath);
      dashboard = await startDashboardServer({
        db,
        databasePath: options.dbPath,
        sensorIds: new Set(registry.keys()),
        alertRules: devStage.alertRules,
        ops: devStage.ops,
        clock: systemClock,
        assets: web.assets,
        live,
        metrics: web.prometheus,
        extraChecks: () => [writable()],
        host: options.host,
        ...(web.port === undefined ? {} : { port: web.port }),
        ...(httpLogin === undefined ? {} : { login: httpLogin }),
      });
    }
    if (options.simulate) {
      simulator = await startSimulator({
        target: { kind: "broker", url: options.brokerUrl ?? simulatorUrl(brokerUrl, simulatorSession) },
        sensors,
        registry,
        seed: 1,
        ...(options.simulator ?? START_SIMULATOR),
        storedUntil: before.newestBySensor,
      });
    }
  } catch (error) {
    // A listening broker would keep the process alive after the error is printed.
    await closeAll();
    throw error;
  }

  lock.describe({
    broker: withoutPassword(brokerUrl),
    ...(dashboard === undefined ? {} : { dashboard: dashboard.url }),
  });

  const rollups = makeLocalRollups({
    db,
    registry,
    alertRules: devStage.alertRules,
    timeZone: devStage.timeZone,
    alertStates,
    alertSink: sink,
    publish,
    observability,
    print: (line) => terminal.print(line),
    onFailure: () => web?.prometheus.countError("rollup"),
  });
  rollups.schedule();
  const status = showStatusEvery(options.statusIntervalMs ?? 1000, { terminal, ingest, db, brokerUrl });

  let reportFailure: (problem: string) => void = () => undefined;
  const failed = new Promise<string>((resolve) => {
    reportFailure = resolve;
  });
  const fileProblem = databaseFileWatch(options.dbPath);
  const fileWatch = setInterval(() => {
    const problem = fileProblem();
    if (problem === undefined) return;
    clearInterval(fileWatch);
    terminal.print(`${problem}: no longer acknowledging readings; stopping (their sensors will send them again)`);
    // Clients are disconnected first, so that what is in flight is never acknowledged.
    void transport
      .close()
      .then(() => running.stop())
      .finally(() => reportFailure(problem));
  }, DATABASE_FILE_WATCH_MS);

  let stopping = false;
  const ready = (async () => {
    // The embedded broker acknowledges a reading once stored: an acknowledged backfill is in the
    // database. Stopping settles it too.
    if (simulator !== undefined) await simulator.backfillDone;
    if (!stopping) await rollups.runLastDay();
  })().catch((error: unknown) => {
    web?.prometheus.countError("rollup");
    terminal.print(`startup roll-up failed: ${error instanceof Error ? error.message : String(error)}`);
  });

  let stopped: Promise<void> | undefined;
  const stop = async () => {
    stopping = true;
    clearInterval(fileWatch);
    status.stop();
    await simulator?.stop().catch(() => undefined);
    transport.stopAccepting();
    await ingest.close();
    await rollups.stop();
    await closeAll();
    status.show();
    terminal.end();
  };
  const running: RunningPipeline = {
    brokerUrl: withoutPassword(brokerUrl),
    dashboardUrl: dashboard?.url,
    resumed:
      before.newest === null ? undefined : { readings: before.readings, newest: new Date(before.newest).toISOString() },
    ready,
    failed,
    stop() {
      stopped ??= stop();
      return stopped;
    },
  };
  return running;
}

/** The status line: readings a second, totals, open alerts and the broker. */
function showStatusEvery(
  intervalMs: number,
  { terminal, ingest, db, brokerUrl }: { terminal: Terminal; ingest: IngestRuntime; db: Db; brokerUrl: string },
): { stop(): void; show(): void } {
  let previous = { at: Date.now(), handled: 0, openAlerts: 0 };
  const show = (openAlerts: number) => {
    const { stored, quarantined } = ingest.counters();
    const now = Date.now();
    const perSecond = ((stored + quarantined - previous.handled) * 1000) / Math.max(1, now - previous.at);
    previous = { at: now, handled: stored + quarantined, openAlerts };
    terminal.status(
      `${Math.round(perSecond)} readings/s | stored ${stored} | quarantined ${quarantined} | open alerts ${openAlerts} | ${withoutPassword(brokerUrl)}`,
    );
  };
  const ticker = setInterval(() => show(countOpenAlerts(db)), intervalMs);
  return {
    stop: () => clearInterval(ticker),
    // At shutdown the database is closed: the last count read stands.
    show: () => show(previous.openAlerts),
  };
}
