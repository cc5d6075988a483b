/**
 * `kaikai simulate`: the sensor fleet on the command line. The CLI (local/cli.ts) hands over the
 * arguments after the command name and prints a UsageError's message as one line.
 */

import { accessSync, constants } from "node:fs";
import { parseArgs } from "node:util";
import { registryOf } from "../../lambdas/core/sensor.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { makeTerminal, type Terminal } from "../runtime/terminal.js";
import { UsageError } from "../usage-error.js";
import { FaultSpecError, NO_FAULTS, parseFaultRates } from "./faults.js";
import { fleetOf, MAX_SENSORS } from "./fleet.js";
import { DEFAULT_BROKER_URL, type PublishTarget, withoutPassword } from "./publisher.js";
import { maxRatePerSecond, type SimulatorCounters, type SimulatorOptions, startSimulator } from "./simulator.js";

export const SIMULATE_USAGE = `Usage: kaikai simulate [options]
  --target URL             MQTT broker (default ${DEFAULT_BROKER_URL})
  --iot-endpoint HOST      AWS IoT Core data endpoint, over MQTT/TLS on port 8883 (HOST:PORT for another)
  --cert FILE --key FILE   the thing's certificate and private key ({id} in a path: the sensor id)
  --ca FILE                the Amazon root CA
  --rate N                 live readings per second across the sensors (default 5)
  --sensors N              the first N sensors of the registry, or all of them and simulated ones
                           (SIM...) up to N, up to ${MAX_SENSORS} (default all ${SENSORS.length}); a local
                           pipeline must be started with the same --sensors to know them
  --faults SPEC            e.g. malformed=0.02,out_of_range=0.01,unknown_sensor=0.01,duplicate=0.02;
                           and the sensors' own: stuck=0.05 (10-minute stretches on one value),
                           spike=0.01, fog=0.5 (mornings at 96 % RH and more), clock=0.01 (an hour early)
  --backfill-hours N       hours of past readings sent first (default 24; 0 for none)
  --duration S             stop after S seconds live
  --count N                stop after N live readings
  --seed N                 seed of the readings and faults (default 1)
  --help                   this text`;

const OPTIONS = {
  target: { type: "string" },
  "iot-endpoint": { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  ca: { type: "string" },
  rate: { type: "string", default: "5" },
  sensors: { type: "string" },
  faults: { type: "string" },
  "backfill-hours": { type: "string", default: "24" },
  duration: { type: "string" },
  count: { type: "string" },
  seed: { type: "string", default: "1" },
  help: { type: "boolean", default: false },
} as const;

interface NumberRule {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

function parseNumber(flag: string, text: string, rule: NumberRule): number {
  const value = Number(text);
  const kind = rule.integer ? "an integer" : "a number";
  if (text.trim() === "" || !Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) {
    throw new UsageError(`--${flag} must be ${kind}, got "${text}"`);
  }
  if (value < rule.min || value > rule.max) {
    throw new UsageError(`--${flag} must be ${kind} from ${rule.min} to ${rule.max}, got ${text}`);
  }
  return value;
}

const optionalNumber = (flag: string, text: string | undefined, rule: NumberRule): number | undefined =>
  text === undefined ? undefined : parseNumber(flag, text, rule);

const BROKER_PROTOCOLS = ["mqtt:", "mqtts:", "tcp:", "ssl:", "ws:", "wss:"];

function parseBrokerUrl(text: string): string {
  let protocol: string;
  try {
    protocol = new URL(text).protocol;
  } catch {
    throw new UsageError(`--target must be a URL such as ${DEFAULT_BROKER_URL}, got "${text}"`);
  }
  if (!BROKER_PROTOCOLS.includes(protocol)) {
    throw new UsageError(`--target must use ${BROKER_PROTOCOLS.join(" ")}, got "${text}"`);
  }
  return text;
}

function requireReadable(flag: string, path: string, sensorIds: readonly string[]): void {
  for (const sensorId of sensorIds) {
    const file = path.replaceAll("{id}", sensorId);
    try {
      accessSync(file, constants.R_OK);
    } catch {
      throw new UsageError(`--${flag}: cannot read ${file}`);
    }
  }
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>["values"];

function parseTarget(values: Values, sensorIds: readonly string[]): PublishTarget {
  const endpoint = values["iot-endpoint"];
  const tlsFlags = (["cert", "key", "ca"] as const).filter((flag) => values[flag] !== undefined);
  if (endpoint === undefined) {
    if (tlsFlags.length > 0) throw new UsageError(`--${tlsFlags[0]} only goes with --iot-endpoint`);
    return { kind: "broker", url: parseBrokerUrl(values.target ?? DEFAULT_BROKER_URL) };
  }
  if (values.target !== undefined) throw new UsageError("give either --target or --iot-endpoint, not both");
  const { cert, key, ca } = values;
  if (cert === undefined || key === undefined || ca === undefined) {
    throw new UsageError("--iot-endpoint needs --cert, --key and --ca");
  }
  requireReadable("cert", cert, sensorIds);
  requireReadable("key", key, sensorIds);
  requireReadable("ca", ca, sensorIds);
  return { kind: "iot", endpoint, certFile: cert, keyFile: key, caFile: ca };
}

function parseFaults(spec: string | undefined): SimulatorOptions["faults"] {
  if (spec === undefined) return NO_FAULTS;
  try {
    return parseFaultRates(spec);
  } catch (error) {
    if (error instanceof FaultSpecError) throw new UsageError(`--faults: ${error.message}`);
    throw error;
  }
}

function parseValues(argv: readonly string[]): Values {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // node:util's messages run to several sentences; the first says what is wrong.
    const message = error instanceof Error ? (error.message.split(". ")[0] ?? error.message) : String(error);
    throw new UsageError(message);
  }
}

/** Turns the command line into simulator options, or throws a UsageError; null for --help. */
export function parseSimulateArgs(argv: readonly string[]): SimulatorOptions | null {
  const values = parseValues(argv);
  if (values.help) return null;
  const sensorCount =
    optionalNumber("sensors", values.sensors, { min: 1, max: MAX_SENSORS, integer: true }) ?? SENSORS.length;
  const sensors = fleetOf(SENSORS, sensorCount);
  const sensorIds = sensors.map((sensor) => sensor.sensorId);
  const target = parseTarget(values, sensorIds);
  const faults = parseFaults(values.faults);
  if (target.kind === "iot" && faults.unknown_sensor > 0) {
    throw new UsageError("--faults unknown_sensor needs a local broker: IoT Core refuses a thing it does not know");
  }
  const duration = optionalNumber("duration", values.duration, { min: 0.001, max: 31_536_000, integer: false });
  const count = optionalNumber("count", values.count, { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true });
  return {
    target,
    sensors,
    registry: registryOf(sensors),
    ratePerSecond: parseNumber("rate", values.rate, { min: 0.001, max: maxRatePerSecond(sensorCount), integer: false }),
    faults,
    backfillHours: parseNumber("backfill-hours", values["backfill-hours"], { min: 0, max: 720, integer: false }),
    seed: parseNumber("seed", values.seed, { min: 0, max: 2 ** 32 - 1, integer: true }),
    ...(duration === undefined ? {} : { durationSeconds: duration }),
    ...(count === undefined ? {} : { count }),
  };
}

function describeFaults(counters: SimulatorCounters): string {
  const faults = Object.entries(counters.faults)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(", ");
  return faults === "" ? "" : `  faults: ${faults}`;
}

/** One progress line: totals, and the rates since the previous line. */
function formatProgress(current: SimulatorCounters, previous: SimulatorCounters, seconds: number): string {
  const perSecond = (now: number, before: number): string => `${Math.round((now - before) / seconds)}/s`;
  return (
    `backfill ${current.backfilled}  live ${current.live}  ` +
    `sent ${current.sent} (${perSecond(current.sent, previous.sent)})  ` +
    `acked ${current.acked} (${perSecond(current.acked, previous.acked)})  ` +
    `in flight ${current.inFlight}` +
    (current.failed > 0 ? `  failed ${current.failed}` : "") +
    describeFaults(current)
  );
}

function formatSummary(final: SimulatorCounters): string {
  return (
    `done: backfill ${final.backfilled}  live ${final.live}  sent ${final.sent}  acked ${final.acked}  ` +
    `failed ${final.failed}${describeFaults(final)}`
  );
}

export interface SimulateCommandIo {
  /** Lines, and the progress as a status line: rewritten in place on a terminal. */
  readonly terminal: Terminal;
  readonly progressIntervalMs: number;
}

const consoleIo = (): SimulateCommandIo => ({ terminal: makeTerminal(), progressIntervalMs: 1000 });

/**
 * Runs `kaikai simulate` until its duration or count is reached or Ctrl-C, printing progress.
 * Throws UsageError on a bad flag and BrokerUnreachableError when the broker cannot be reached.
 */
export async function runSimulateCommand(
  argv: readonly string[],
  io: SimulateCommandIo = consoleIo(),
): Promise<SimulatorCounters | null> {
  const { terminal } = io;
  const options = parseSimulateArgs(argv);
  if (options === null) {
    terminal.print(SIMULATE_USAGE);
    return null;
  }
  const where =
    options.target.kind === "broker" ? withoutPassword(options.target.url) : `IoT Core at ${options.target.endpoint}`;
  terminal.print(`simulating ${options.sensors.length} sensors to ${where} (seed ${options.seed}); Ctrl-C stops`);
  const simulator = await startSimulator(options);
  const stop = (): void => {
    terminal.print("stopping: waiting for outstanding acknowledgements");
    simulator.stop().catch(() => undefined);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let previous = simulator.counters();
  let previousAt = Date.now();
  const ticker = setInterval(() => {
    const current = simulator.counters();
    const now = Date.now();
    terminal.status(formatProgress(current, previous, (now - previousAt) / 1000));
    previous = current;
    previousAt = now;
  }, io.progressIntervalMs);
  let final: SimulatorCounters;
  try {
    final = await simulator.done;
  } finally {
    clearInterval(ticker);
    // The last progress stays on screen above the summary.
    terminal.end();
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
  terminal.print(formatSummary(final));
  return final;
}
