import { createServer } from "node:net";
import { join } from "node:path";
import { Aedes } from "aedes";
import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import type { AlertNotice } from "../../lambdas/core/alerts.js";
import { NO_FAULTS } from "../../local/simulator/faults.js";
import {
  eventually,
  query,
  reading,
  startTestPipeline,
  type TestPipeline,
  telemetry,
  tempDir,
} from "./local-helpers.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let running: TestPipeline | undefined;
const clients: mqtt.MqttClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  await running?.stop();
  running = undefined;
});

async function sensorClient(url: string): Promise<mqtt.MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  clients.push(client);
  return client;
}

const count = (dbPath: string, sql: string, ...params: unknown[]): number =>
  query<{ n: number }>(dbPath, sql, ...params)[0]?.n ?? 0;

describe("kaikai start (embedded broker, SQLite file)", () => {
  it("stores the simulator's readings, rolls them up and ranks the zones; its dust episode opens alerts that resolve", async () => {
    running = await startTestPipeline({
      simulate: true,
      simulator: {
        ratePerSecond: 20,
        backfillHours: 6,
        faults: NO_FAULTS,
      },
    });
    await running.pipeline.ready;
    const { dbPath, lines } = running;

    // Six hours of one reading a minute from each of the five sensors, then live ones.
    const stored = count(dbPath, "SELECT COUNT(*) AS n FROM measurements");
    expect(stored).toBeGreaterThanOrEqual(5 * 6 * 60 - 5);
    expect(count(dbPath, "SELECT COUNT(DISTINCT sensor_id) AS n FROM measurements")).toBe(5);
    expect(count(dbPath, "SELECT COUNT(*) AS n FROM hourly_aggregates WHERE readings > 0")).toBeGreaterThanOrEqual(
      5 * 5,
    );
    expect(count(dbPath, "SELECT COUNT(DISTINCT zone) AS n FROM zone_aggregates WHERE rank IS NOT NULL")).toBe(3);
    expect(lines.some((line) => line.startsWith("zone ranking"))).toBe(true);

    const opened = lines.filter((line) => / ALERT SENS\d+ pm25 /.test(line));
    const resolved = lines.filter((line) => / RESOLVED SENS\d+ pm25 /.test(line));
    expect(opened.length).toBeGreaterThan(0);
    for (const line of opened) {
      const sensor = line.split(" ")[2];
      // One episode, one alert per sensor: it opens once and resolves after.
      expect(opened.filter((other) => other.split(" ")[2] === sensor)).toHaveLength(1);
      expect(resolved.filter((other) => other.split(" ")[2] === sensor)).toHaveLength(1);
      expect(lines.indexOf(line)).toBeLessThan(
        lines.findIndex((other) => resolved.includes(other) && other.includes(`${sensor} `)),
      );
    }

    await eventually("live readings", () =>
      count(dbPath, "SELECT COUNT(*) AS n FROM measurements") > stored + 10 ? true : undefined,
    );
  });

  it("resumes a database on restart: says what it holds, and the simulator backfills only the gap", async () => {
    const dir = tempDir("kaikai-restart-");
    const dbPath = join(dir.path, "kaikai.db");
    const simulator = { ratePerSecond: 5, backfillHours: 3, faults: { ...NO_FAULTS, malformed: 0.05 } };
    try {
      running = await startTestPipeline({ dbPath, simulate: true, simulator });
      expect(running.pipeline.resumed).toBeUndefined();
      await running.pipeline.ready;
      await running.stop();
      running = undefined;
      const stored = count(dbPath, "SELECT COUNT(*) AS n FROM measurements");
      const quarantined = count(dbPath, "SELECT COUNT(*) AS n FROM quarantine");
      expect(quarantined).toBeGreaterThan(10);

      running = await startTestPipeline({ dbPath, simulate: true, simulator });
      expect(running.pipeline.resumed?.readings).toBe(stored);
      await running.pipeline.ready;
      await running.stop();
      running = undefined;
      // Seconds of gap, not three hours again: a few readings and, at 5 %, hardly a fault.
      expect(count(dbPath, "SELECT COUNT(*) AS n FROM measurements") - stored).toBeLessThan(stored / 10);
      expect(count(dbPath, "SELECT COUNT(*) AS n FROM quarantine") - quarantined).toBeLessThan(quarantined / 4);
    } finally {
      dir.remove();
    }
  });

  it("acknowledges a reading only once it is stored, stores a replay once and quarantines a conflicting re-send", async () => {
    running = await startTestPipeline();
    const sensor = await sensorClient(running.pipeline.brokerUrl);
    const at = Date.now() - MINUTE;
    await sensor.publishAsync(telemetry("SENS001"), reading("SENS001", at, 23.4), { qos: 1 });
    // No polling: the PUBACK came back, so the reading is already in the file.
    expect(query(running.dbPath, "SELECT sensor_id, pm25, co2 FROM measurements WHERE sensor_id = 'SENS001'")).toEqual([
      { sensor_id: "SENS001", pm25: 23.4, co2: 612 },
    ]);

    await sensor.publishAsync(telemetry("SENS001"), reading("SENS001", at, 23.4), { qos: 1 });
    await sensor.publishAsync(telemetry("SENS001"), reading("SENS001", at, 25), { qos: 1 });
    expect(query(running.dbPath, "SELECT pm25 FROM measurements WHERE sensor_id = 'SENS001'")).toEqual([
      { pm25: 23.4 },
    ]);
    const quarantined = query<{ reason: string; detail: string }>(
      running.dbPath,
      "SELECT reason, detail FROM quarantine",
    );
    expect(quarantined).toEqual([
      { reason: "conflicting_duplicate", detail: expect.stringContaining("pm25 23.4 (sent 25)") },
    ]);
  });

  it("quarantines malformed, out-of-range and unknown-sensor messages with their reason codes", async () => {
    running = await startTestPipeline();
    const sensor = await sensorClient(running.pipeline.brokerUrl);
    const at = Date.now() - MINUTE;
    await Promise.all([
      sensor.publishAsync(telemetry("SENS002"), '{"sensor_id":"SENS002","timestamp":', { qos: 1 }),
      sensor.publishAsync(telemetry("SENS002"), reading("SENS002", at, 1500), { qos: 1 }),
      sensor.publishAsync(telemetry("SENS002"), reading("SENS002", at, 20, { co2: 50 }), { qos: 1 }),
      sensor.publishAsync(telemetry("SENS999"), reading("SENS999", at, 20), { qos: 1 }),
      sensor.publishAsync(telemetry("SENS002"), reading("SENS003", at, 20), { qos: 1 }),
      sensor.publishAsync(telemetry("SENS002"), reading("SENS002", at, 20), { qos: 1 }),
    ]);
    const rows = query<{ reason: string; topic: string; payload: string }>(
      running.dbPath,
      "SELECT reason, topic, payload FROM quarantine ORDER BY reason, quarantine_id",
    );
    expect(rows.map((row) => row.reason)).toEqual([
      "malformed_json",
      "out_of_range",
      "out_of_range",
      "sensor_mismatch",
      "unknown_sensor",
    ]);
    expect(rows[0]).toEqual({
      reason: "malformed_json",
      topic: "kaikai/sensors/SENS002/telemetry",
      payload: '{"sensor_id":"SENS002","timestamp":',
    });
    expect(count(running.dbPath, "SELECT COUNT(*) AS n FROM measurements")).toBe(1);
  });

  it("opens one alert on a PM2.5 spike, publishes it on kaikai/alerts/{id}, and resolves it once the air clears", async () => {
    running = await startTestPipeline();
    const watcher = await sensorClient(running.pipeline.brokerUrl);
    const notices: AlertNotice[] = [];
    watcher.on("message", (_topic, payload) => notices.push(JSON.parse(payload.toString()) as AlertNotice));
    await watcher.subscribeAsync("kaikai/alerts/SENS004", { qos: 1 });

    const sensor = await sensorClient(running.pipeline.brokerUrl);
    const start = Date.now() - HOUR;
    const episode = [20, 45, 180, 240, 210, 160, 140, 95, 30];
    for (const [minute, pm25] of episode.entries()) {
      await sensor.publishAsync(telemetry("SENS004"), reading("SENS004", start + minute * MINUTE, pm25), { qos: 1 });
    }
    await eventually("the resolved notice", () => (notices.length >= 2 ? true : undefined));
    expect(notices.map(({ ruleId, state, value }) => ({ ruleId, state, value }))).toEqual([
      { ruleId: "pm25_reading_very_high", state: "opened", value: 180 },
      { ruleId: "pm25_reading_very_high", state: "resolved", value: 95 },
    ]);
    expect(running.lines.filter((line) => line.includes("SENS004 pm25"))).toHaveLength(2);
  });

  it("ingests from an existing broker, getting what was published while it was away", async () => {
    const external = await Aedes.createBroker();
    const server = createServer(external.handle);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const url = `mqtt://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
    try {
      running = await startTestPipeline({ brokerUrl: url });
      const { dbPath } = running;
      const sensor = await sensorClient(url);
      await sensor.publishAsync(telemetry("SENS005"), reading("SENS005", Date.now() - 2 * MINUTE, 12), { qos: 1 });
      const stored = (n: number) => () =>
        count(dbPath, "SELECT COUNT(*) AS n FROM measurements WHERE sensor_id = 'SENS005'") === n ? true : undefined;
      await eventually("the first reading in measurements", stored(1));

      // Down for a while: the broker keeps the session's QoS 1 messages until the pipeline is back.
      await running.pipeline.stop();
      await sensor.publishAsync(telemetry("SENS005"), reading("SENS005", Date.now() - MINUTE, 14), { qos: 1 });
      const restarted = await startTestPipeline({ brokerUrl: url, dbPath });
      await eventually("the reading sent while it was down", stored(2));
      await restarted.pipeline.stop();
    } finally {
      running?.stop().catch(() => undefined);
      running = undefined;
      await new Promise<void>((resolve) => external.close(() => resolve()));
      server.close();
    }
  });
});
