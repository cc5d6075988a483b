import { type ChildProcess, spawn } from "node:child_process";
import { unlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { openLocalStore } from "../../local/runtime/local-store.js";
import { parseScryptHash, SCRYPT_COST, verifyPassword } from "../../local/runtime/password-hash.js";
import { toSqliteTime } from "../../local/sqlite/time.js";
import { eventually, query, reading, telemetry, tempDir } from "./local-helpers.js";

const CLI = ["--import", "tsx", "local/cli.ts"];
const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface Cli {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

const oneLine = (text: string) => text.trim().split("\n");

/** The CLI as a process; `input`, when given, is its stdin. */
function kaikai(args: readonly string[], input?: string): Cli {
  const child = spawn(process.execPath, [...CLI, ...args], {
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  children.push(child);
  child.stdin?.end(input);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, output: () => stdout, exited };
}

async function brokerPortOf(cli: Cli): Promise<number> {
  const port = await eventually(
    "the startup banner",
    () => cli.output().match(/broker +mqtt:\/\/127\.0\.0\.1:(\d+)/)?.[1],
    60_000,
  );
  return Number(port);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address !== null ? address.port : 1;
}

describe("kaikai start as a process", () => {
  it("loses no acknowledged reading and stores no duplicate when killed mid-stream and restarted", async () => {
    const dir = tempDir("kaikai-crash-");
    cleanups.push(dir.remove);
    const db = join(dir.path, "kaikai.db");
    const first = kaikai(["start", "--no-simulate", "--port", "0", "--db", db]);
    const port = await brokerPortOf(first);

    // A sensor with a persistent client: QoS 1, resending what was not acknowledged after each
    // reconnect (mqtt.js resends them one by one, hence the modest count).
    const sensor = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      clientId: "crash-test-sensor",
      clean: false,
      reconnectPeriod: 100,
      connectTimeout: 2000,
    });
    sensor.on("error", () => undefined);
    cleanups.push(() => sensor.end(true));
    const total = 1200;
    const start = Date.now() - 2 * 3_600_000;
    const acked = new Set<number>();
    const ackedBeforeKill: number[] = [];
    let killed = false;
    for (let i = 0; i < total; i++) {
      const sensorId = `SENS00${(i % 5) + 1}`;
      sensor.publish(telemetry(sensorId), reading(sensorId, start + i * 1000, 10 + (i % 50)), { qos: 1 }, (error) => {
        if (error !== undefined && error !== null) return;
        acked.add(i);
        if (!killed) ackedBeforeKill.push(i);
      });
    }
    await eventually("some acknowledgements", () => (acked.size >= 200 ? true : undefined), 30_000);
    killed = true;
    first.child.kill("SIGKILL");
    await first.exited;
    expect(ackedBeforeKill.length).toBeLessThan(total);

    const second = kaikai(["start", "--no-simulate", "--port", String(port), "--db", db]);
    await brokerPortOf(second);
    await eventually("every reading acknowledged", () => (acked.size === total ? true : undefined), 60_000);
    second.child.kill("SIGTERM");
    const { code, stdout } = await second.exited;
    expect(code).toBe(0);
    expect(stdout).toContain("stopping:");

    const stored = query<{ timestamp: string }>(db, "SELECT timestamp FROM measurements");
    expect(stored).toHaveLength(total);
    const times = new Set(stored.map((row) => Date.parse(`${row.timestamp.replace(" ", "T")}Z`)));
    for (const index of ackedBeforeKill) expect(times.has(start + index * 1000)).toBe(true);
    // The report totals, kept by triggers, count each reading once despite the resends.
    expect(query(db, "SELECT SUM(readings) AS n FROM measurement_hour_totals")).toEqual([{ n: total }]);
  }, 120_000);
});

describe("one writer per database", () => {
  it("refuses a second start on the same database in one line naming the running one, and exits non-zero", async () => {
    const dir = tempDir("kaikai-second-");
    cleanups.push(dir.remove);
    const db = join(dir.path, "kaikai.db");
    const first = kaikai(["start", "--no-simulate", "--no-http", "--port", "0", "--db", db]);
    const port = await brokerPortOf(first);

    const second = await kaikai(["start", "--no-simulate", "--no-http", "--port", "0", "--db", db]).exited;
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split("\n")).toEqual([
      `kaikai: ${db} is in use by another kaikai start (pid ${first.child.pid}, since ${second.stderr.match(/since (\S+?),/)?.[1]}, mqtt://127.0.0.1:${port}): stop it, or give --db another file`,
    ]);
    expect(second.stdout).toBe("");

    first.child.kill("SIGTERM");
    expect((await first.exited).code).toBe(0);
    const third = kaikai(["start", "--no-simulate", "--no-http", "--port", "0", "--db", db]);
    await brokerPortOf(third);
    third.child.kill("SIGTERM");
    expect((await third.exited).code).toBe(0);
  }, 60_000);
});

describe("a database file deleted under a running start", () => {
  it("is noticed: start says so, stops acknowledging, and exits 1", async () => {
    const dir = tempDir("kaikai-deleted-");
    cleanups.push(dir.remove);
    const db = join(dir.path, "kaikai.db");
    const cli = kaikai(["start", "--no-simulate", "--no-http", "--port", "0", "--db", db]);
    const port = await brokerPortOf(cli);
    const sensor = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    cleanups.push(() => sensor.end(true));
    await sensor.publishAsync(telemetry("SENS001"), reading("SENS001", Date.now() - 1000, 12), { qos: 1 });

    unlinkSync(db);
    const { code, stdout } = await cli.exited;
    expect(code).toBe(1);
    expect(stdout).toContain(`${db} is gone: readings cannot be kept: no longer acknowledging readings; stopping`);
  }, 60_000);
});

describe("kaikai report and quarantine", () => {
  it("prints the seed's queries as tables or JSON, and lists the quarantine", async () => {
    const dir = tempDir("kaikai-report-");
    cleanups.push(dir.remove);
    const db = join(dir.path, "kaikai.db");
    const store = openLocalStore(db);
    const at = Date.now() - 60_000;
    store
      .prepare(
        "INSERT INTO measurements (sensor_id, timestamp, pm25, temperature, humidity, co2, received_at) VALUES (?, ?, ?, 30, 70, 600, 0)",
      )
      .run("SENS004", toSqliteTime(at), 42);
    store
      .prepare(
        "INSERT INTO quarantine (reason, detail, topic, received_at, payload, payload_encoding) VALUES ('malformed_json', 'bad', 't', 'x', '{', 'utf8')",
      )
      .run();
    store.close();

    const [table, json, quarantine] = await Promise.all([
      kaikai(["report", "zone-ranking", "--db", db]).exited,
      kaikai(["report", "sensor-activity", "--json", "--db", db]).exited,
      kaikai(["quarantine", "list", "--reason", "malformed_json", "--db", db]).exited,
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^Commercial +1 +1 +42 .* 1 +POOR$/m);
    expect(table.stdout).toContain("evaluation on the seed's scale (not the AQI");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)[0]).toEqual({
      sensor_id: "SENS004",
      location_name: "Dakar - Médina",
      measurements: 1,
      last_measurement: toSqliteTime(at),
      pm25_mean: 42,
    });
    expect(quarantine.stdout).toContain("Quarantined readings (malformed_json): 1");

    const [quality, csv] = await Promise.all([
      kaikai(["report", "quality", "--json", "--db", db]).exited,
      kaikai(["export", "--format", "csv", "--sensor", "SENS004", "--db", db]).exited,
    ]);
    expect(quality.code).toBe(0);
    // Inserted by hand: stored, but not judged until a roll-up covers its hour.
    expect(JSON.parse(quality.stdout).find((row: { sensor_id: string }) => row.sensor_id === "SENS004")).toMatchObject({
      readings: 1,
      not_judged: 1,
      official: 0,
    });
    expect(csv.code).toBe(0);
    expect(csv.stdout.split("\n").slice(0, 2)).toEqual([
      "sensor_id,timestamp,pm25,temperature,humidity,co2,battery,rssi,firmware,pm25_b,pm25_corrected,correction,flags",
      `SENS004,${new Date(at).toISOString()},42,30,70,600,,,,,,,`,
    ]);
    expect(csv.stderr).toBe("");

    // Listed first: a replay that refuses the entry again rewrites its detail.
    const listed = await kaikai(["quarantine", "list", "--json", "--db", db]).exited;
    const [missing, replayed] = await Promise.all([
      kaikai(["quarantine", "replay", "--id", "99999", "--db", db]).exited,
      kaikai(["quarantine", "replay", "--json", "--reason", "malformed_json", "--db", db]).exited,
    ]);
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        id: 1,
        reason: "malformed_json",
        detail: "bad",
        topic: "t",
        sensor_id: null,
        received_at: "x",
        payload: "{",
        payload_encoding: "utf8",
        replayed_at: null,
      },
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split("\n")).toEqual([`kaikai: no quarantine entry 99999 in ${db}`]);
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.stdout)).toEqual({
      replayed: 1,
      stored: 0,
      still_refused: 1,
      still_refused_by_reason: { malformed_json: 1 },
      not_settled: 0,
    });
  });

  it("prints the usage for --help on every command, also as npx kaikai", async () => {
    const commands = [["report"], ["report", "nowcast"], ["quarantine"], ["export"], ["rollup"], ["start"]];
    const runs = await Promise.all(commands.map((command) => kaikai([...command, "--help"]).exited));
    for (const run of runs) {
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: kaikai <command>/);
    }
    const bin = spawn(process.execPath, ["local/bin/kaikai.mjs", "help"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    bin.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    expect(await new Promise((resolve) => bin.on("close", resolve))).toBe(0);
    expect(stdout).toMatch(/^Usage: kaikai <command>/);
  });

  it("says where to start when there is no database yet", async () => {
    const { code, stderr } = await kaikai(["report", "dakar-sensors", "--db", "/nonexistent/kaikai.db"]).exited;
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      "kaikai: no database at /nonexistent/kaikai.db: run 'npm start' first, or give --db (run 'npx kaikai help' for usage)",
    );
  });
});

describe("kaikai command-line errors", () => {
  it("refuses an unknown flag with one line and exit code 2", async () => {
    const { code, stderr, stdout } = await kaikai(["start", "--frobnicate"]).exited;
    expect(code).toBe(2);
    expect(oneLine(stderr)).toEqual(["kaikai: Unknown option '--frobnicate' (run 'npx kaikai help' for usage)"]);
    expect(stdout).toBe("");
  });

  it("refuses an unknown report and an unknown command the same way", async () => {
    const [report, command] = await Promise.all([kaikai(["report", "nope"]).exited, kaikai(["launch"]).exited]);
    expect(report.code).toBe(2);
    expect(oneLine(report.stderr)).toHaveLength(1);
    expect(report.stderr).toContain("dakar-sensors");
    expect(command.code).toBe(2);
    expect(oneLine(command.stderr)).toEqual(["kaikai: unknown command 'launch' (run 'npx kaikai help' for usage)"]);
  });

  it("refuses a figure report's bad option in one line, before opening any database", async () => {
    const runs = await Promise.all(
      [
        ["report", "nowcast", "--month", "2026-11"],
        ["report", "daily", "--from", "2026-13-01"],
        ["report", "who", "--month", "2026-1"],
        ["report", "nowcast", "--lang", "wo"],
      ].map((args) => kaikai(args).exited),
    );
    expect(runs.map((run) => [run.code, oneLine(run.stderr)])).toEqual([
      [2, ["kaikai: --month is not an option of report nowcast (run 'npx kaikai help' for usage)"]],
      [2, ["kaikai: --from must be a date YYYY-MM-DD, not 2026-13-01 (run 'npx kaikai help' for usage)"]],
      [2, ["kaikai: --month must be YYYY-MM, not 2026-1 (run 'npx kaikai help' for usage)"]],
      [2, ["kaikai: --lang must be one of en, fr, not wo (run 'npx kaikai help' for usage)"]],
    ]);
  });

  it("refuses an export without a known format, or a quality report's bad period, in one line", async () => {
    const runs = await Promise.all(
      [
        ["export"],
        ["export", "--format", "xml"],
        ["report", "quality", "--from", "yesterday"],
        ["report", "quality", "--month", "2026-11"],
      ].map((args) => kaikai(args).exited),
    );
    expect(runs.map((run) => [run.code, oneLine(run.stderr), run.stdout])).toEqual([
      [2, ["kaikai: export needs --format csv|openaq|aqcsv, not none (run 'npx kaikai help' for usage)"], ""],
      [2, ["kaikai: export needs --format csv|openaq|aqcsv, not xml (run 'npx kaikai help' for usage)"], ""],
      [
        2,
        [
          "kaikai: --from must be an ISO 8601 date or time such as 2026-11-28T10:00:00Z, not yesterday (run 'npx kaikai help' for usage)",
        ],
        "",
      ],
      [2, ["kaikai: --month is not an option of report quality (run 'npx kaikai help' for usage)"], ""],
    ]);
  });

  it("says in one line that a --broker cannot be reached, and exits 1", async () => {
    const dir = tempDir("kaikai-unreachable-");
    cleanups.push(dir.remove);
    const port = await closedPort();
    const { code, stderr } = await kaikai([
      "start",
      "--no-simulate",
      "--broker",
      `mqtt://127.0.0.1:${port}`,
      "--db",
      join(dir.path, "k.db"),
    ]).exited;
    expect(code).toBe(1);
    expect(oneLine(stderr)).toEqual([
      `kaikai: cannot reach the MQTT broker at mqtt://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
    ]);
  });

  it("says in one line that the simulator's --target cannot be reached, and exits 1 without a stack trace", async () => {
    const port = await closedPort();
    const { code, stderr } = await kaikai(["simulate", "--target", `mqtt://127.0.0.1:${port}`]).exited;
    expect(code).toBe(1);
    // The process must also outlive the client's connect timeout without an unhandled 'error' event.
    expect(oneLine(stderr)).toHaveLength(1);
    expect(stderr).toMatch(new RegExp(`^kaikai: cannot connect to mqtt://127\\.0\\.0\\.1:${port} .*ECONNREFUSED`));
  });

  it("refuses an unknown simulate flag with one line and exit code 2", async () => {
    const { code, stderr } = await kaikai(["simulate", "--bogus"]).exited;
    expect(code).toBe(2);
    expect(oneLine(stderr)).toEqual(["kaikai: Unknown option '--bogus' (run 'npx kaikai simulate --help' for usage)"]);
  });

  it("says in one line that a --db is a directory or under a file, for reports and start alike", async () => {
    const dir = tempDir("kaikai-baddb-");
    cleanups.push(dir.remove);
    const file = join(dir.path, "a-file");
    writeFileSync(file, "");
    const runs = await Promise.all([
      kaikai(["report", "dakar-sensors", "--db", dir.path]).exited,
      kaikai(["start", "--no-simulate", "--no-http", "--port", "0", "--db", dir.path]).exited,
      kaikai(["start", "--no-simulate", "--no-http", "--port", "0", "--db", join(file, "kaikai.db")]).exited,
    ]);
    expect(runs.map((run) => [run.code, run.stderr.trim().split("\n")])).toEqual([
      [1, [`kaikai: ${dir.path} is a directory: give --db the database file, e.g. ${join(dir.path, "kaikai.db")}`]],
      [1, [`kaikai: ${dir.path} is a directory: give --db the database file, e.g. ${join(dir.path, "kaikai.db")}`]],
      [
        1,
        [expect.stringMatching(new RegExp(`^kaikai: cannot use ${join(file, "kaikai.db")} as the database: EEXIST`))],
      ],
    ]);
  });

  it("refuses a bad --http-port, or one beside --no-http, in one line", async () => {
    const [range, both] = await Promise.all([
      kaikai(["start", "--http-port", "80800"]).exited,
      kaikai(["start", "--no-http", "--http-port", "8081"]).exited,
    ]);
    expect(range.code).toBe(2);
    expect(oneLine(range.stderr)).toEqual([
      "kaikai: --http-port must be 0..65535, not 80800 (run 'npx kaikai help' for usage)",
    ]);
    expect(both.code).toBe(2);
    expect(oneLine(both.stderr)).toHaveLength(1);
    expect(both.stderr).toContain("--no-http and --http-port");
  });

  it("refuses to listen beyond loopback without credentials", async () => {
    const { code, stderr } = await kaikai(["start", "--listen", "0.0.0.0", "--no-simulate"]).exited;
    expect(code).toBe(2);
    expect(oneLine(stderr)).toHaveLength(1);
    expect(stderr).toContain("wider than loopback");
  });
});

describe("kaikai broker hash-password", () => {
  it("prints a scrypt hash of the password on stdin that verifies it, and refuses a weak one in one line", async () => {
    const password = "correct horse battery staple";
    const made = await kaikai(["broker", "hash-password", "--username", "SENS001"], `${password}\n`).exited;
    expect(made.code).toBe(0);
    const hash = parseScryptHash(made.stdout.trim());
    expect(hash).toMatchObject({ ln: SCRYPT_COST.ln, r: SCRYPT_COST.r, p: SCRYPT_COST.p });
    if (hash === undefined) return;
    expect(await verifyPassword(password, hash)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", hash)).toBe(false);

    const weak = await kaikai(["broker", "hash-password", "--username", "SENS001"], "SENS0011\n").exited;
    expect(weak.code).toBe(2);
    expect(weak.stdout).toBe("");
    expect(oneLine(weak.stderr)).toHaveLength(1);
    expect(weak.stderr).toMatch(/too weak: zxcvbn scores it [0-2] of 4/);
  });
});
