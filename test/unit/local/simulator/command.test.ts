import { createServer } from "node:net";
import { Aedes } from "aedes";
import { afterEach, describe, expect, it } from "vitest";
import { SENSORS } from "../../../../lib/config/sensors.js";
import { parseSimulateArgs, runSimulateCommand } from "../../../../local/simulator/command.js";
import { NO_FAULTS } from "../../../../local/simulator/faults.js";
import { backfillSlots, defaultDustEpisodes } from "../../../../local/simulator/simulator.js";
import { UsageError } from "../../../../local/usage-error.js";

const HOUR = 3_600_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe("simulate flags", () => {
  it("default to every sensor of the registry on the local broker with a day of backfill", () => {
    expect(parseSimulateArgs([])).toMatchObject({
      target: { kind: "broker", url: "mqtt://127.0.0.1:1883" },
      sensors: SENSORS,
      ratePerSecond: 5,
      backfillHours: 24,
      seed: 1,
      faults: NO_FAULTS,
    });
  });

  it("simulate sensors beyond the registry, marked as simulated, when --sensors asks for more", () => {
    const options = parseSimulateArgs(["--sensors", "1000"]);
    expect(options?.sensors).toHaveLength(1000);
    expect(options?.sensors.at(-1)).toMatchObject({ sensorId: "SIM1000", simulated: true });
    expect(options?.registry.get("SIM1000")).toBeDefined();
  });

  it("read every option", () => {
    const options = parseSimulateArgs([
      "--target=mqtt://localhost:1999",
      "--rate",
      "250",
      "--sensors",
      "2",
      "--faults",
      "malformed=0.02,duplicate=0.05",
      "--backfill-hours",
      "0",
      "--duration",
      "1.5",
      "--count",
      "100",
      "--seed",
      "42",
    ]);
    expect(options).toMatchObject({
      target: { kind: "broker", url: "mqtt://localhost:1999" },
      sensors: SENSORS.slice(0, 2),
      ratePerSecond: 250,
      faults: { malformed: 0.02, duplicate: 0.05, out_of_range: 0, unknown_sensor: 0 },
      backfillHours: 0,
      durationSeconds: 1.5,
      count: 100,
      seed: 42,
    });
  });

  it("take a thing's certificate files for IoT Core", () => {
    const file = new URL(import.meta.url).pathname;
    expect(
      parseSimulateArgs([
        "--iot-endpoint",
        "abc-ats.iot.eu-west-1.amazonaws.com",
        "--cert",
        file,
        "--key",
        file,
        "--ca",
        file,
      ]),
    ).toMatchObject({
      target: {
        kind: "iot",
        endpoint: "abc-ats.iot.eu-west-1.amazonaws.com",
        certFile: file,
        keyFile: file,
        caFile: file,
      },
    });
  });

  it.each([
    [["--bogus"], /Unknown option '--bogus'/],
    [["extra"], /Unexpected argument .extra./],
    [["--rate", "fast"], /--rate must be a number, got "fast"/],
    [["--rate", "0"], /--rate must be a number from/],
    [["--rate", "6000", "--sensors", "5"], /--rate must be a number from 0.001 to 5000/],
    [["--sensors", "100001"], /--sensors must be an integer from 1 to 100000/],
    [["--sensors", "1.5"], /--sensors must be an integer/],
    [["--faults", "malformed=2"], /--faults: fault rate of malformed/],
    [["--target", "http://example.com"], /--target must use mqtt:/],
    [["--target", "not a url"], /--target must be a URL/],
    [["--cert", "x.pem"], /--cert only goes with --iot-endpoint/],
    [["--iot-endpoint", "h"], /--iot-endpoint needs --cert, --key and --ca/],
    [["--iot-endpoint", "h", "--cert", "/nope/{id}.pem", "--key", "k", "--ca", "c"], /cannot read \/nope\/SENS001.pem/],
    [["--iot-endpoint", "h", "--target", "mqtt://x"], /either --target or --iot-endpoint/],
  ])("refuse %j with a one-line usage error", (argv, message) => {
    let thrown: unknown;
    try {
      parseSimulateArgs(argv);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain("\n");
  });

  it("refuse unknown-sensor faults towards IoT Core, which would drop the connection", () => {
    const file = new URL(import.meta.url).pathname;
    const argv = ["--iot-endpoint", "h", "--cert", file, "--key", file, "--ca", file, "--faults", "unknown_sensor=0.1"];
    expect(() => parseSimulateArgs(argv)).toThrow(UsageError);
  });
});

describe("backfill", () => {
  const now = Date.UTC(2026, 10, 28, 12, 0, 30);

  it("covers the window at each sensor's reporting interval, oldest first", () => {
    const slots = backfillSlots(SENSORS, now, 24);
    expect(slots).toHaveLength(SENSORS.reduce((sum, sensor) => sum + (24 * 3600) / sensor.reportingIntervalSeconds, 0));
    expect(slots.every(({ time }) => time > now - 24 * HOUR && time <= now)).toBe(true);
    expect(slots.every(({ sensor, time }) => time % (sensor.reportingIntervalSeconds * 1000) === 0)).toBe(true);
    expect(slots.every((slot, index) => index === 0 || (slots[index - 1]?.time ?? 0) <= slot.time)).toBe(true);
  });

  it("starts each sensor's backfill after its newest stored reading, so that a restart sends only the gap", () => {
    const [first, second] = SENSORS;
    if (first === undefined || second === undefined) throw new Error("the registry has two sensors");
    const storedUntil = new Map([[first.sensorId, now - 2 * HOUR]]);
    const slots = backfillSlots(SENSORS, now, 24, storedUntil);
    const of = (sensorId: string) => slots.filter(({ sensor }) => sensor.sensorId === sensorId);
    expect(of(first.sensorId)).toHaveLength((2 * 3600) / first.reportingIntervalSeconds);
    expect(of(first.sensorId).every(({ time }) => time > now - 2 * HOUR)).toBe(true);
    expect(of(second.sensorId)).toHaveLength((24 * 3600) / second.reportingIntervalSeconds);
  });

  it("holds a dust episode that is over, clearing hour included, before the window ends", () => {
    const [episode] = defaultDustEpisodes(now, 24);
    expect(episode).toBeDefined();
    if (episode === undefined) return;
    expect(episode.start).toBeGreaterThan(now - 23 * HOUR);
    expect(episode.start + (episode.hours + 1) * HOUR).toBeLessThan(now - 2 * HOUR);
    expect(episode.hours).toBeGreaterThanOrEqual(2);
  });
});

describe("kaikai simulate", () => {
  it("prints its progress and a summary of what was acknowledged", async () => {
    const aedes = await Aedes.createBroker();
    const server = createServer(aedes.handle);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const lines: string[] = [];
    const statuses: string[] = [];
    const terminal = {
      print: (line: string) => lines.push(line),
      status: (line: string) => statuses.push(line),
      end() {},
    };
    const final = await runSimulateCommand(
      ["--target", `mqtt://127.0.0.1:${address.port}`, "--backfill-hours", "0", "--rate", "100", "--count", "30"],
      { terminal, progressIntervalMs: 50 },
    );
    expect(final).toMatchObject({ live: 30, sent: 30, acked: 30, failed: 0 });
    expect(lines[0]).toMatch(/^simulating 5 sensors to mqtt:\/\/127\.0\.0\.1:\d+/);
    // Progress is the status line, which a terminal rewrites in place.
    expect(statuses.some((line) => /^backfill 0 {2}live \d+ {2}sent \d+ \(\d+\/s\)/.test(line))).toBe(true);
    expect(lines.at(-1)).toMatch(/^done: .*sent 30 .*acked 30/);
  });

  it("prints the usage for --help", async () => {
    const lines: string[] = [];
    await expect(
      runSimulateCommand(["--help"], {
        terminal: { print: (line) => lines.push(line), status: () => undefined, end: () => undefined },
        progressIntervalMs: 50,
      }),
    ).resolves.toBeNull();
    expect(lines.join("\n")).toContain("--iot-endpoint HOST");
  });
});
