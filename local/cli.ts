/**
 * `kaikai`: the local pipeline on one machine. `npm start` runs `kaikai start`; every other
 * command runs as `npm run -s kaikai -- <command>` or `npx kaikai <command>`. User mistakes print one line and exit 2; an
 * unreachable broker or a taken port exits 1; neither prints a stack trace.
 */
import { existsSync } from "node:fs";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { kaikaiFunctionName, REDRIVABLE_QUEUES, type RedrivableQueue } from "../lambdas/bindings/resources.js";
import type { HourRange } from "../lambdas/core/aggregates.js";
import { LANGUAGES, type Language } from "../lambdas/core/aqi.js";
import { addDays, localDayOf } from "../lambdas/core/daily.js";
import { REASON_CODES, type ReasonCode } from "../lambdas/core/reading.js";
import { RegistryError } from "../lambdas/core/sensor.js";
import { DAY_MS, HOUR_MS, hourStartOf } from "../lambdas/core/time.js";
import { systemClock } from "../lambdas/ports.js";
import { backfillChunks, rangeEvent } from "../lambdas/use-cases/rollup-range.js";
import { REGISTRY, SENSORS } from "../lib/config/sensors.js";
import { loadStagesFromCdkJson, maxReadingAgeMs, STAGE_NAMES } from "../lib/config/stages.js";
import { RedriveError } from "./cloud/redrive-error.js";
import { EXPORT_FORMATS, exportReadings } from "./export.js";
import { dailyReport, nowcastReport, whoReport } from "./figures.js";
import { FleetError, syncFleet } from "./fleet/sync.js";
import { formatHealth, healthJson, healthReport } from "./health.js";
import { qualityReport } from "./quality.js";
import { replayQuarantine } from "./quarantine-replay.js";
import { formatTable, type Report, runSeedReport, SEED_REPORTS } from "./reports.js";
import { makeLocalAlertSink } from "./runtime/alert-sink.js";
import {
  assertSafeListen,
  type BrokerAuth,
  ConfigError,
  loadBrokerAuth,
  weakPasswordReason,
} from "./runtime/broker-config.js";
import { makeLocalObservability } from "./runtime/local-observability.js";
import { DEFAULT_DB_PATH, openLocalStore } from "./runtime/local-store.js";
import { makeLocalRollups } from "./runtime/rollups.js";
import { startLocalPipeline } from "./runtime/start.js";
import { makeTerminal } from "./runtime/terminal.js";
import { runSimulateCommand, SIMULATE_USAGE } from "./simulator/command.js";
import { MAX_SENSORS } from "./simulator/fleet.js";
import { BrokerUnreachableError } from "./simulator/publisher.js";
import { makeSqliteAlertStateStore } from "./sqlite/alert-state-store.js";
import { type Db, LocalStoreError, openDatabaseReadOnly } from "./sqlite/database.js";
import { makeSqliteQuarantine } from "./sqlite/quarantine.js";
import { NotFoundError, UsageError } from "./usage-error.js";

export const USAGE = `Usage: kaikai <command> [options]   (npm start = kaikai start; otherwise npx kaikai <command>, or npm run -s kaikai -- <command>)

Commands:
  start                 broker, ingest, roll-ups, alerts and the simulator on this machine
    --db FILE           SQLite database (default ${DEFAULT_DB_PATH})
    --port N            embedded broker port (default 1883, or the next free one)
    --listen HOST       embedded broker interface (default 127.0.0.1; wider needs --config credentials)
    --broker URL        use an existing MQTT broker instead, e.g. mqtt://user:pass@host:1883
    --webhook URL       also POST each alert as JSON to this URL
    --http-port N       the dashboard, /health and /metrics on --listen (default 8080, or the next
                        free one; beyond loopback they ask for an observer or admin login)
    --no-http           no dashboard, /health or /metrics
    --no-simulate       only listen: no simulated sensors
    --sensors N         the registry and simulated sensors (SIM...) up to N, for a fleet's size
    --config FILE       JSON: {"broker": {"clients": [{"username", "password_hash", "sensor" or
                        "role": "observer"|"admin"}], "tls": {"key", "cert", "ca", "roles"}}} (README)
  simulate [options]    the simulated sensor fleet alone (kaikai simulate --help)
  report <name>         the seed's queries: ${SEED_REPORTS.join(", ")}
                        the official figures: nowcast, daily, who (README, "The figures")
                        quality: readings by quality flag, coverage and correction per sensor
                        or health: the dashboard's figures and alarms from the local store
                        (exit code 1 when a check is in ALARM)
    --json              rows as JSON        --db FILE        --lang en|fr (default en)
    --at ISO            nowcast: the hour (default the last complete one)
    --from DATE         daily: the first local day (default 6 days before --to)
    --to DATE           daily: the last local day (default today)
    --month YYYY-MM     who: the month (default this one)
    --from ISO --to ISO quality: the period (default the last 24 hours)
  export --format F     readings to stdout, F: csv (raw and corrected PM2.5, correction, flags),
                        openaq (OpenAQ v3 measurements JSON) or aqcsv (AirNow AQCSV)
                        [--from ISO] [--to ISO] [--sensor ID] [--db FILE]
  quarantine list       rejected readings   [--reason CODE] [--json] [--db FILE]
  quarantine replay     validate them again and store those that pass   [--reason CODE] [--id N] [--json] [--db FILE]
  rollup --since ISO    the hourly and zone roll-ups again for every hour since then (late data, a
                        backfill), a week at a time; alerts they raise are printed   [--db FILE]
    --stage NAME        invoke the stage's roll-up functions in AWS instead (credentials as for cdk)
  dlq redrive --stage NAME   a dead-letter queue's messages back to the queue they came from, with
                        counts before and after (credentials as for cdk)
    --queue Q           ingest (default: readings back to ingest) or late-hours
  fleet --stage NAME    the registry's things in the stage's AWS account (credentials as for cdk):
                        creates the missing ones in the stack's thing group, never deletes one
    --dry-run           say what would change, change nothing
    --certificate ID    also issue that sensor a certificate with the sensor policy attached
    --out DIR           where its certificate and private key (mode 0600) go (default .)
  broker hash-password  a broker login's password_hash for --config, the password read from the
                        terminal (not echoed) or stdin; a weak password is refused
    --username NAME     the login it is for (a password made of it is weak)
  help                  this text`;

const hintFor = (command: string | undefined): string =>
  command === "simulate" ? "run 'npx kaikai simulate --help' for usage" : "run 'npx kaikai help' for usage";
const FORCE_AFTER_MS = 1500;

type Values = Record<string, string | boolean | undefined>;

function parse(
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig["options"]>,
  positionals = 0,
): { values: Values; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: positionals > 0 });
    if (parsed.positionals.length > positionals) {
      throw new UsageError(`unexpected argument '${parsed.positionals[positionals]}'`);
    }
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // node:util's messages run to several sentences; the first says what is wrong.
    const message = error instanceof Error ? (error.message.split(". ")[0] ?? error.message) : String(error);
    throw new UsageError(message);
  }
}

const text = (values: Values, name: string): string | undefined => {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
};

function parsePort(value: string | undefined, flag = "port"): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`--${flag} must be 0..65535, not ${value}`);
  return port;
}

function parseSensorCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > MAX_SENSORS) {
    throw new UsageError(`--sensors must be a whole number from 1 to ${MAX_SENSORS}, not ${value}`);
  }
  return count;
}

function parseUrl(flag: string, value: string | undefined, protocols: readonly string[]): URL | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${flag} is not a URL: ${value}`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new UsageError(`--${flag} must start with ${protocols.map((p) => `${p}//`).join(" or ")}`);
  }
  return url;
}

function parseReason(value: string | undefined): ReasonCode | undefined {
  if (value === undefined) return undefined;
  const reason = REASON_CODES.find((code) => code === value);
  if (reason === undefined) throw new UsageError(`--reason must be one of ${REASON_CODES.join(", ")}`);
  return reason;
}

function mustExist(path: string): void {
  if (!existsSync(path)) throw new UsageError(`no database at ${path}: run 'npm start' first, or give --db`);
}

/** A store to change (the quarantine replay): the schema applied and the registry's sensors written. */
function writableDb(path: string): Db {
  mustExist(path);
  return openLocalStore(path);
}

/** A store to look at only: reports, health and the quarantine list never change it. */
function readableDb(path: string): Db {
  mustExist(path);
  return openDatabaseReadOnly(path);
}

const DB_OPTION = { db: { type: "string", default: DEFAULT_DB_PATH } } as const;

async function startCommand(argv: readonly string[]): Promise<void> {
  const { values } = parse(argv, {
    ...DB_OPTION,
    port: { type: "string" },
    listen: { type: "string", default: "127.0.0.1" },
    broker: { type: "string" },
    webhook: { type: "string" },
    "http-port": { type: "string" },
    "no-http": { type: "boolean", default: false },
    "no-simulate": { type: "boolean", default: false },
    sensors: { type: "string" },
    config: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const sensors = parseSensorCount(text(values, "sensors"));
  const host = text(values, "listen") ?? "127.0.0.1";
  const broker = parseUrl("broker", text(values, "broker"), ["mqtt:", "mqtts:", "tcp:", "ssl:"]);
  if (broker !== undefined && (values.port !== undefined || values.listen !== "127.0.0.1")) {
    throw new UsageError("--broker uses an existing broker: --port and --listen are for the embedded one");
  }
  const config = text(values, "config");
  const auth: BrokerAuth = config === undefined ? {} : loadBrokerAuth(config);
  assertSafeListen(host, auth);
  const webhook = parseUrl("webhook", text(values, "webhook"), ["http:", "https:"]);
  const port = parsePort(text(values, "port"));
  const httpPort = parsePort(text(values, "http-port"), "http-port");
  if (values["no-http"] === true && httpPort !== undefined) {
    throw new UsageError("--no-http and --http-port contradict each other: give one");
  }
  const dbPath = text(values, "db") ?? DEFAULT_DB_PATH;

  const terminal = makeTerminal();
  const pipeline = await startLocalPipeline({
    dbPath,
    host,
    ...(port === undefined ? {} : { port }),
    ...(broker === undefined ? {} : { brokerUrl: broker.href }),
    auth,
    ...(webhook === undefined ? {} : { webhook }),
    simulate: values["no-simulate"] !== true,
    ...(values["no-http"] === true ? {} : { http: httpPort === undefined ? {} : { port: httpPort } }),
    terminal,
    ...(sensors === undefined ? {} : { sensors }),
  });
  const embedded = broker === undefined;
  const portNote = embedded && port === undefined && !pipeline.brokerUrl.endsWith(":1883") ? " (1883 was taken)" : "";
  const banner = [
    "Kaikai local pipeline",
    `  broker     ${pipeline.brokerUrl}${embedded ? ` embedded${portNote}` : " (external)"}; sensors publish on kaikai/sensors/{id}/telemetry`,
    `  database   ${dbPath}${pipeline.resumed === undefined ? " (new)" : ` (resumed: ${pipeline.resumed.readings} readings, the newest at ${pipeline.resumed.newest}${values["no-simulate"] === true ? "" : "; the simulator backfills only what is missing"})`}`,
    `  dashboard  ${pipeline.dashboardUrl === undefined ? "off (--no-http)" : `${pipeline.dashboardUrl}/ ; ${pipeline.dashboardUrl}/health ; ${pipeline.dashboardUrl}/metrics`}`,
    `  alerts     printed here, on MQTT kaikai/alerts/{id}${webhook === undefined ? "" : `, POST ${webhook.href}`}`,
    `  simulator  ${values["no-simulate"] === true ? "off (--no-simulate)" : `${sensors ?? REGISTRY.size} sensors${sensors !== undefined && sensors > REGISTRY.size ? ` (${sensors - REGISTRY.size} simulated beyond the registry)` : ""}, 24 h backfill then 5 readings/s`}`,
    "  reports    npm run -s kaikai -- report nowcast (or daily, who; the seed's zone-ranking, dakar-sensors, sensor-activity, hourly-pm25)",
    "Ctrl-C stops; nothing acknowledged is lost.",
  ].join("\n");
  await new Promise<void>((resolve) => {
    let stoppingSince: number | undefined;
    const stop = () => {
      // A Ctrl-C reaches npm, tsx and this process at once, and tsx relays it too: only a
      // deliberate second Ctrl-C, a moment later, forces the exit.
      if (stoppingSince !== undefined) {
        if (Date.now() - stoppingSince < FORCE_AFTER_MS) return;
        console.error("kaikai: forced exit; readings not yet acknowledged will be sent again by their sensors");
        process.exit(130);
      }
      stoppingSince = Date.now();
      terminal.print(
        "stopping: storing what was received, closing the broker and the database (Ctrl-C again to force)",
      );
      pipeline.stop().then(
        () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          resolve();
        },
        (error: unknown) => {
          console.error(`kaikai: error while stopping: ${error instanceof Error ? error.message : String(error)}`);
          process.exitCode = 1;
          resolve();
        },
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    // Only once the signals are handled: a supervisor or a test that stops it on seeing the banner
    // must reach the graceful stop, not the default kill.
    terminal.print(banner);
    pipeline.failed.then(() => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      process.exitCode = 1;
      resolve();
    });
  });
}

const FIGURE_REPORTS = ["nowcast", "daily", "who"] as const;
type FigureReportName = (typeof FIGURE_REPORTS)[number];
const REPORT_NAMES = [...SEED_REPORTS, ...FIGURE_REPORTS, "quality", "health"] as const;

const REPORT_OPTIONS = {
  ...DB_OPTION,
  json: { type: "boolean", default: false },
  lang: { type: "string", default: "en" },
  at: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  month: { type: "string" },
} as const;

/** Which of the report options each report takes, beyond --db, --json and --lang. */
const OWN_OPTIONS: Readonly<Record<(typeof REPORT_NAMES)[number], readonly string[]>> = {
  "dakar-sensors": [],
  "sensor-activity": [],
  "hourly-pm25": [],
  "zone-ranking": [],
  nowcast: ["at"],
  daily: ["from", "to"],
  who: ["month"],
  quality: ["from", "to"],
  health: [],
};

function reportCommand(argv: readonly string[]): void {
  const { values, positionals } = parse(argv, REPORT_OPTIONS, 1);
  const name = REPORT_NAMES.find((candidate) => candidate === positionals[0]);
  if (name === undefined) {
    throw new UsageError(
      `report needs one of ${REPORT_NAMES.join(", ")}${positionals[0] === undefined ? "" : `, not '${positionals[0]}'`}`,
    );
  }
  for (const option of ["at", "from", "to", "month"]) {
    if (values[option] !== undefined && !OWN_OPTIONS[name].includes(option)) {
      throw new UsageError(`--${option} is not an option of report ${name}`);
    }
  }
  const lang = parseLanguage(text(values, "lang"));
  const dbPath = text(values, "db") ?? DEFAULT_DB_PATH;
  if (name === "health") {
    printHealth(dbPath, values.json === true);
    return;
  }
  const now = systemClock.now();
  // Every option is checked before the database is opened.
  const run = isFigureReport(name)
    ? figureReport(name, values, lang, now)
    : name === "quality"
      ? qualityRun(parsePeriod(values, now))
      : (db: Db) => runSeedReport(db, name, now, lang);
  const db = readableDb(dbPath);
  try {
    const report = run(db);
    console.log(values.json === true ? JSON.stringify(report.rows, null, 2) : formatTable(report));
  } finally {
    db.close();
  }
}

const isFigureReport = (name: string): name is FigureReportName => (FIGURE_REPORTS as readonly string[]).includes(name);

function parseLanguage(value: string | undefined): Language {
  const lang = LANGUAGES.find((candidate) => candidate === value);
  if (lang === undefined) throw new UsageError(`--lang must be one of ${LANGUAGES.join(", ")}, not ${value}`);
  return lang;
}

function parseDay(flag: string, value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError(`--${flag} must be a date YYYY-MM-DD, not ${value}`);
  }
  return value;
}

function parseHour(value: string | undefined, now: number): number {
  if (value === undefined) return hourStartOf(now) - HOUR_MS;
  const at = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at)) {
    throw new UsageError(`--at must be an ISO 8601 time such as 2026-11-28T10:00:00Z, not ${value}`);
  }
  return hourStartOf(at);
}

function parseInstant(flag: string, value: string): number {
  const at = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}(T|$)/.test(value) || Number.isNaN(at)) {
    throw new UsageError(`--${flag} must be an ISO 8601 date or time such as 2026-11-28T10:00:00Z, not ${value}`);
  }
  return at;
}

/** --from and --to as instants; by default the last 24 hours. */
function parsePeriod(values: Values, now: number): { from: number; to: number } {
  const toText = text(values, "to");
  const fromText = text(values, "from");
  const to = toText === undefined ? now : parseInstant("to", toText);
  const from = fromText === undefined ? to - DAY_MS : parseInstant("from", fromText);
  if (from >= to) throw new UsageError(`--from ${fromText ?? new Date(from).toISOString()} is not before --to`);
  return { from, to };
}

const qualityRun =
  (period: { from: number; to: number }) =>
  (db: Db): Report =>
    qualityReport(db, period);

const EXPORT_OPTIONS = {
  ...DB_OPTION,
  format: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  sensor: { type: "string" },
} as const;

/** `kaikai export`: readings streamed to stdout, a progress line on stderr when it is a terminal. */
async function exportCommand(argv: readonly string[]): Promise<void> {
  const { values } = parse(argv, EXPORT_OPTIONS, 0);
  const format = EXPORT_FORMATS.find((candidate) => candidate === text(values, "format"));
  if (format === undefined) {
    throw new UsageError(`export needs --format ${EXPORT_FORMATS.join("|")}, not ${text(values, "format") ?? "none"}`);
  }
  const now = systemClock.now();
  const fromText = text(values, "from");
  const toText = text(values, "to");
  const from = fromText === undefined ? 0 : parseInstant("from", fromText);
  const to = toText === undefined ? now + DAY_MS : parseInstant("to", toText);
  if (from >= to) throw new UsageError(`--from ${fromText} is not before --to ${toText ?? "now"}`);
  const sensorId = text(values, "sensor");
  const db = readableDb(text(values, "db") ?? DEFAULT_DB_PATH);
  const progress = process.stderr.isTTY
    ? (rows: number) => process.stderr.write(`\rexported ${rows.toLocaleString("en")} readings`)
    : undefined;
  try {
    await exportReadings(db, process.stdout, format, {
      from,
      to,
      ...(sensorId === undefined ? {} : { sensorId }),
      ...(progress === undefined ? {} : { onProgress: progress }),
    });
    if (progress !== undefined) process.stderr.write("\n");
  } finally {
    db.close();
  }
}

/** The official figures, in the dev stage's time zone (the local mode is the dev stage). */
function figureReport(name: FigureReportName, values: Values, lang: Language, now: number): (db: Db) => Report {
  const { timeZone } = loadStagesFromCdkJson().dev;
  const today = localDayOf(now, timeZone);
  if (name === "nowcast") {
    const hour = parseHour(text(values, "at"), now);
    return (db) => nowcastReport(db, { hour, lang });
  }
  if (name === "daily") {
    const toText = text(values, "to");
    const fromText = text(values, "from");
    const to = toText === undefined ? today : parseDay("to", toText);
    const from = fromText === undefined ? addDays(to, -6) : parseDay("from", fromText);
    if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
    if (daysBetween(from, to) > MAX_REPORT_DAYS) {
      throw new UsageError(`report daily covers at most ${MAX_REPORT_DAYS} days; ${from} to ${to} is more`);
    }
    return (db) => dailyReport(db, { from, to, timeZone, lang });
  }
  const month = text(values, "month") ?? today.slice(0, 7);
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new UsageError(`--month must be YYYY-MM, not ${month}`);
  const monthEnd = addDays(`${nextMonth(month)}-01`, -1);
  // A month not over yet ends today.
  const [lastDay = today] = [monthEnd, today].sort();
  return (db) => whoReport(db, { month, lastDay, timeZone, lang });
}

const MAX_REPORT_DAYS = 366;
const daysBetween = (from: string, to: string): number =>
  (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS;
const nextMonth = (month: string): string => {
  const [year = 0, number = 0] = month.split("-").map(Number);
  return number === 12 ? `${year + 1}-01` : `${year}-${String(number + 1).padStart(2, "0")}`;
};

/** The dev stage's alarm thresholds; the flow is counted over its silent window. */
function printHealth(dbPath: string, json: boolean): void {
  const db = readableDb(dbPath);
  try {
    const { ops } = loadStagesFromCdkJson().dev;
    const health = healthReport(db, {
      now: systemClock.now(),
      windowMinutes: ops.silentMinutes,
      ops,
      databasePath: dbPath,
    });
    console.log(json ? JSON.stringify(healthJson(health), null, 2) : formatHealth(health));
    // So that a script, or the seed's monitoring playbook, can act on it.
    if (health.checks.some((check) => !check.ok)) process.exitCode = 1;
  } finally {
    db.close();
  }
}

async function quarantineCommand(argv: readonly string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action === "list") {
    const { values } = parse(rest, {
      ...DB_OPTION,
      reason: { type: "string" },
      json: { type: "boolean", default: false },
    });
    const reason = parseReason(text(values, "reason"));
    const db = readableDb(text(values, "db") ?? DEFAULT_DB_PATH);
    try {
      const rows = makeSqliteQuarantine(db).list(reason === undefined ? {} : { reason });
      if (values.json === true) {
        const entries = rows.map((row) => ({
          id: row.id,
          reason: row.reason,
          detail: row.detail,
          topic: row.topic,
          sensor_id: row.sensorId ?? null,
          received_at: row.receivedAt,
          payload: row.payload,
          payload_encoding: row.payloadEncoding,
          replayed_at: row.replayedAt,
        }));
        console.log(JSON.stringify(entries, null, 2));
        return;
      }
      const tableRows = rows.map((row) => ({
        id: row.id,
        reason: row.reason,
        received_at: row.receivedAt,
        topic: row.topic,
        detail: row.detail,
        replayed_at: row.replayedAt,
        payload: row.payload.length > 60 ? `${row.payload.slice(0, 57)}...` : row.payload,
      }));
      console.log(
        formatTable({
          title: `Quarantined readings${reason === undefined ? "" : ` (${reason})`}: ${rows.length}`,
          columns: ["id", "reason", "received_at", "topic", "detail", "replayed_at", "payload"],
          rows: tableRows,
        }),
      );
    } finally {
      db.close();
    }
    return;
  }
  if (action === "replay") {
    const { values } = parse(rest, {
      ...DB_OPTION,
      reason: { type: "string" },
      id: { type: "string" },
      json: { type: "boolean", default: false },
    });
    const reason = parseReason(text(values, "reason"));
    const idText = text(values, "id");
    const id = idText === undefined ? undefined : Number(idText);
    if (id !== undefined && !Number.isInteger(id)) throw new UsageError(`--id must be a quarantine id, not ${idText}`);
    const db = writableDb(text(values, "db") ?? DEFAULT_DB_PATH);
    try {
      if (id !== undefined) {
        const [entry] = makeSqliteQuarantine(db).list({ id });
        if (entry === undefined) throw new NotFoundError(`no quarantine entry ${id} in ${text(values, "db")}`);
        if (entry.replayedAt !== null) {
          console.log(`quarantine entry ${id} was stored by a replay at ${entry.replayedAt}: nothing to replay`);
          return;
        }
      }
      const result = await replayQuarantine(
        {
          db,
          registry: REGISTRY,
          clock: systemClock,
          maxReadingAgeMs: maxReadingAgeMs(loadStagesFromCdkJson().dev),
          observability: makeLocalObservability(),
        },
        { ...(reason === undefined ? {} : { reason }), ...(id === undefined ? {} : { id }) },
      );
      const stillRefused = result.replayed - result.stored - result.failed;
      if (values.json === true) {
        console.log(
          JSON.stringify(
            {
              replayed: result.replayed,
              stored: result.stored,
              still_refused: stillRefused,
              still_refused_by_reason: result.refused,
              not_settled: result.failed,
            },
            null,
            2,
          ),
        );
        if (result.failed > 0) process.exitCode = 1;
        return;
      }
      const refused = Object.entries(result.refused).map(([code, count]) => `${code} ${count}`);
      console.log(
        `replayed ${result.replayed}: stored ${result.stored}, still refused ${stillRefused}` +
          (refused.length === 0 ? "" : ` (${refused.join(", ")})`) +
          (result.failed === 0 ? "" : `, ${result.failed} not settled (store error): run it again`),
      );
      if (result.failed > 0) process.exitCode = 1;
    } finally {
      db.close();
    }
    return;
  }
  throw new UsageError(`quarantine needs 'list' or 'replay'${action === undefined ? "" : `, not '${action}'`}`);
}

async function fleetCommand(argv: readonly string[]): Promise<void> {
  const { values } = parse(argv, {
    stage: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    certificate: { type: "string" },
    out: { type: "string", default: "." },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const stage = text(values, "stage");
  if (stage === undefined || !(STAGE_NAMES as readonly string[]).includes(stage)) {
    throw new UsageError(`fleet needs --stage, one of ${STAGE_NAMES.join(", ")}`);
  }
  const certificate = text(values, "certificate");
  const { IoTClient } = await import("@aws-sdk/client-iot");
  try {
    await syncFleet({
      iot: new IoTClient({}),
      stage,
      sensors: SENSORS,
      dryRun: values["dry-run"] === true,
      ...(certificate === undefined ? {} : { certificateFor: certificate, outDir: text(values, "out") ?? "." }),
      print: (line) => console.log(line),
    });
  } catch (error) {
    if (error instanceof FleetError || !(error instanceof Error)) throw error;
    // Missing credentials or region, a denied call, an unreachable endpoint: one line, with what to check.
    throw new FleetError(
      `AWS IoT for stage ${stage}: ${error.name}: ${error.message} (credentials, region and permissions are those cdk uses)`,
    );
  }
}

async function brokerCommand(argv: readonly string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action !== "hash-password") {
    throw new UsageError(`broker needs 'hash-password'${action === undefined ? "" : `, not '${action}'`}`);
  }
  const { values } = parse(rest, { username: { type: "string" } });
  const username = text(values, "username") ?? "";
  const [{ read }, { hashPassword }] = await Promise.all([import("read"), import("./runtime/password-hash.js")]);
  const password = await read({
    prompt: process.stdin.isTTY ? "password: " : "",
    silent: true,
    output: process.stderr,
  });
  if (password.length === 0) throw new UsageError("no password given");
  const weakness = weakPasswordReason(password, username);
  if (weakness !== undefined) throw new UsageError(`that password is too weak: ${weakness}`);
  console.log(await hashPassword(password));
}

async function dlqCommand(argv: readonly string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action !== "redrive") {
    throw new UsageError(`dlq needs 'redrive'${action === undefined ? "" : `, not '${action}'`}`);
  }
  const { values } = parse(rest, { stage: { type: "string" }, queue: { type: "string", default: "ingest" } });
  const stage = text(values, "stage");
  if (stage === undefined || !(STAGE_NAMES as readonly string[]).includes(stage)) {
    throw new UsageError(`dlq redrive needs --stage, one of ${STAGE_NAMES.join(", ")}`);
  }
  const queue = Object.keys(REDRIVABLE_QUEUES).find((name): name is RedrivableQueue => name === values.queue);
  if (queue === undefined) {
    throw new UsageError(`--queue must be one of ${Object.keys(REDRIVABLE_QUEUES).join(", ")}, not ${values.queue}`);
  }
  const [{ SQSClient }, { redriveDeadLetters }] = await Promise.all([
    import("@aws-sdk/client-sqs"),
    import("./cloud/dlq-redrive.js"),
  ]);
  const terminal = makeTerminal();
  try {
    const result = await redriveDeadLetters(new SQSClient({}), {
      stage,
      queue,
      progress: (moved) => terminal.status(`moved ${moved}`),
    });
    terminal.end();
    console.log(
      `${result.deadLetterQueue}: ${result.before} messages before, ${result.moved} moved to ${result.sourceQueue}, ${result.after} after`,
    );
  } catch (error) {
    terminal.end();
    if (error instanceof RedriveError || !(error instanceof Error)) throw error;
    throw new RedriveError(
      `SQS for stage ${stage}: ${error.name}: ${error.message} (credentials, region and permissions are those cdk uses)`,
    );
  }
}

function parseSince(value: string | undefined, now: number): number {
  if (value === undefined) throw new UsageError("rollup needs --since, an ISO 8601 time such as 2026-11-28T00:00:00Z");
  const since = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}(T|$)/.test(value) || Number.isNaN(since)) {
    throw new UsageError(`--since must be an ISO 8601 time such as 2026-11-28T00:00:00Z, not ${value}`);
  }
  if (hourStartOf(since) >= hourStartOf(now)) {
    throw new UsageError(`--since ${value} leaves no complete hour to roll up (the current hour is not over)`);
  }
  return hourStartOf(since);
}

const describeChunk = (range: HourRange): string =>
  `${new Date(range.from).toISOString().slice(0, 13)}:00 to ${new Date(range.to).toISOString().slice(0, 13)}:00 UTC`;

async function rollupCommand(argv: readonly string[]): Promise<void> {
  const { values } = parse(argv, { ...DB_OPTION, since: { type: "string" }, stage: { type: "string" } });
  const now = systemClock.now();
  const range = { from: parseSince(text(values, "since"), now), to: hourStartOf(now) };
  const stage = text(values, "stage");
  if (stage !== undefined) {
    if (!(STAGE_NAMES as readonly string[]).includes(stage)) {
      throw new UsageError(`--stage must be one of ${STAGE_NAMES.join(", ")}`);
    }
    if (values.db !== DEFAULT_DB_PATH) throw new UsageError("--stage rolls up in AWS: --db is for the local store");
    await invokeCloudRollups(stage, range);
    return;
  }
  const devStage = loadStagesFromCdkJson().dev;
  const db = writableDb(text(values, "db") ?? DEFAULT_DB_PATH);
  const print = (line: string) => console.log(line);
  try {
    const rollups = makeLocalRollups({
      db,
      registry: REGISTRY,
      alertRules: devStage.alertRules,
      timeZone: devStage.timeZone,
      alertStates: makeSqliteAlertStateStore(db),
      alertSink: makeLocalAlertSink({ publishMqtt: async () => undefined, print, language: devStage.alertLanguage }),
      publish: async () => undefined,
      observability: makeLocalObservability(),
      print,
    });
    await rollups.runRange(range, (chunk, rows) => print(`rolled up ${describeChunk(chunk)}: ${rows} rows`));
  } finally {
    db.close();
  }
}

/** The stage's hourly then zone roll-up functions, invoked by name a week at a time. */
async function invokeCloudRollups(stage: string, range: HourRange): Promise<void> {
  const { LambdaClient, InvokeCommand } = await import("@aws-sdk/client-lambda");
  const lambda = new LambdaClient({});
  for (const chunk of backfillChunks(range)) {
    for (const label of ["hourly-rollup", "zone-rollup"]) {
      const functionName = kaikaiFunctionName(stage, label);
      const response = await lambda
        .send(new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify(rangeEvent(chunk)) }))
        .catch((error: unknown) => {
          throw new FleetError(
            `AWS Lambda for stage ${stage}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} (credentials, region and permissions are those cdk uses)`,
          );
        });
      const payload = new TextDecoder().decode(response.Payload ?? new Uint8Array());
      if (response.FunctionError !== undefined) {
        throw new FleetError(`${functionName} failed for ${describeChunk(chunk)}: ${payload.slice(0, 300)}`);
      }
      const rows = (JSON.parse(payload || "{}") as { rowsWritten?: number }).rowsWritten ?? 0;
      console.log(`${functionName}: rolled up ${describeChunk(chunk)}: ${rows} rows`);
    }
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  const [command = "help", ...rest] = argv;
  // Every command takes --help; simulate and fleet print their own.
  if (!["simulate", "fleet"].includes(command) && (rest.includes("--help") || rest.includes("-h"))) {
    console.log(USAGE);
    return;
  }
  switch (command) {
    case "start":
      return startCommand(rest);
    case "simulate":
      await runSimulateCommand(rest);
      return;
    case "report":
      return reportCommand(rest);
    case "quarantine":
      return quarantineCommand(rest);
    case "fleet":
      return fleetCommand(rest);
    case "dlq":
      return dlqCommand(rest);
    case "broker":
      return brokerCommand(rest);
    case "rollup":
      return rollupCommand(rest);
    case "export":
      return exportCommand(rest);
    case "help":
    case "--help":
    case "-h":
      console.log(rest[0] === "simulate" ? SIMULATE_USAGE : USAGE);
      return;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

const cannotListen = (error: unknown): error is Error =>
  error instanceof Error && "code" in error && (error.code === "EADDRINUSE" || error.code === "EACCES");

// `kaikai report ... | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
});

const argv = process.argv.slice(2);
main(argv).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof RegistryError) {
    console.error(`kaikai: ${error.message} (${hintFor(argv[0])})`);
    process.exitCode = 2;
  } else if (
    error instanceof BrokerUnreachableError ||
    error instanceof FleetError ||
    error instanceof LocalStoreError ||
    error instanceof NotFoundError ||
    error instanceof RedriveError ||
    cannotListen(error)
  ) {
    console.error(`kaikai: ${error.message}`);
    process.exitCode = 1;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
});
