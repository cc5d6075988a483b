import { unlinkSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import mqtt from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PIPELINE_ALARMS } from "../../lambdas/bindings/alarms.js";
import { MINUTE_MS } from "../../lambdas/core/time.js";
import { REGISTRY, SENSORS } from "../../lib/config/sensors.js";
import { loadStagesFromCdkJson } from "../../lib/config/stages.js";
import type { Overview, Series } from "../../local/dashboard/api.js";
import { LiveEvents } from "../../local/dashboard/live.js";
import { type BasicLogin, type DashboardServer, startDashboardServer } from "../../local/dashboard/server.js";
import { DATABASE_WRITABLE, databaseWritableCheck, type HealthCheck } from "../../local/health.js";
import { openLocalStore } from "../../local/runtime/local-store.js";
import { makePrometheusMetrics } from "../../local/runtime/prometheus.js";
import type { Db } from "../../local/sqlite/database.js";
import { KNOWN_RAW_PM25, knownCategory, seedKnownDatabase } from "../fixtures/dashboard.js";
import { localRollupsOf } from "../fixtures/database.js";
import { parseMetrics, sampleValue } from "../fixtures/prometheus.js";
import { reading, startTestPipeline, type TestPipeline, telemetry, tempDir } from "./local-helpers.js";

interface HealthBody {
  readonly checks: readonly HealthCheck[];
  readonly failing?: readonly HealthCheck[];
}

async function getHealth(url: string): Promise<{ status: number; body: HealthBody }> {
  const response = await fetch(`${url}/health`);
  return { status: response.status, body: (await response.json()) as HealthBody };
}

async function scrape(url: string) {
  const response = await fetch(`${url}/metrics`);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return parseMetrics(await response.text());
}

/** Reads a Server-Sent Events stream until an event of `name` whose data passes `wanted`. */
async function nextEvent<T>(url: string, name: string, wanted: (data: T) => boolean, trigger: () => Promise<void>) {
  const abort = new AbortController();
  const response = await fetch(`${url}/api/events`, { signal: abort.signal });
  if (response.body === null) throw new Error("the stream has no body");
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    await trigger();
    let buffered = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended before a ${name} event`);
      buffered += value;
      const events = buffered.split("\n\n");
      buffered = events.pop() ?? "";
      for (const event of events) {
        const lines = event.split("\n");
        if (!lines.includes(`event: ${name}`)) continue;
        const data = JSON.parse(lines.find((line) => line.startsWith("data: "))?.slice(6) ?? "null") as T;
        if (wanted(data)) return data;
      }
    }
  } finally {
    abort.abort();
  }
}

describe("npm start's web server, on a database with the last four hours of the registry's sensors", () => {
  const dir = tempDir("kaikai-dashboard-");
  const dbPath = join(dir.path, "kaikai.db");
  let running: TestPipeline;
  let url: string;
  let sensor: mqtt.MqttClient;

  beforeAll(async () => {
    await seedKnownDatabase(dbPath, Date.now());
    running = await startTestPipeline({ dbPath, http: { port: 0 } });
    await running.pipeline.ready;
    url = running.pipeline.dashboardUrl ?? "";
    sensor = await mqtt.connectAsync(running.pipeline.brokerUrl, { reconnectPeriod: 0 });
  });
  afterAll(async () => {
    await sensor?.endAsync();
    await running?.stop();
    dir.remove();
  });

  it("answers /health with 200 and every check, the database's included, when they all hold", async () => {
    const { status, body } = await getHealth(url);
    expect(body.failing).toBeUndefined();
    expect(status).toBe(200);
    expect(body.checks.map((check) => check.name)).toEqual([...Object.values(PIPELINE_ALARMS), DATABASE_WRITABLE]);
  });

  it("answers /health with 503 naming the database while another process holds it locked, and 200 once released", async () => {
    const other = new Database(dbPath);
    try {
      other.exec("BEGIN EXCLUSIVE");
      const locked = await getHealth(url);
      expect(locked.status).toBe(503);
      expect(locked.body.failing?.map((check) => check.name)).toEqual([DATABASE_WRITABLE]);
      other.exec("ROLLBACK");
    } finally {
      other.close();
    }
    expect((await getHealth(url)).status).toBe(200);
  });

  it("serves /metrics in the Prometheus text format, with counters that move as readings arrive", async () => {
    const before = await scrape(url);
    const stored = sampleValue(before, "kaikai_readings_stored_total") ?? Number.NaN;
    const at = Date.now() - 5000;
    await sensor.publishAsync(telemetry("SENS001"), reading("SENS001", at, 12), { qos: 1 });
    await sensor.publishAsync(telemetry("SENS002"), reading("SENS002", at, 13), { qos: 1 });
    await sensor.publishAsync(telemetry("SENS002"), '{"sensor_id":"SENS002",', { qos: 1 });

    const after = await scrape(url);
    expect(sampleValue(after, "kaikai_readings_stored_total")).toBe(stored + 2);
    expect(sampleValue(after, "kaikai_readings_quarantined_total", { reason: "malformed_json" })).toBe(1);
    expect(after.get("kaikai_processing_latency_seconds")?.type).toBe("HISTOGRAM");
    expect(after.get("kaikai_batch_duration_seconds")?.type).toBe("HISTOGRAM");
    expect(sampleValue(after, "kaikai_active_sensors")).toBe(REGISTRY.size);
    // The window's seeded readings, the two new ones, and the one quarantined.
    const window = (await (await fetch(`${url}/health`)).json()) as { stored: number; received: number };
    expect(window.received - window.stored).toBe(1);
    expect(sampleValue(after, "kaikai_valid_readings_ratio")).toBeCloseTo(window.stored / window.received);
    expect(sampleValue(after, "kaikai_database_bytes")).toBeGreaterThan(0);
    expect(sampleValue(after, "kaikai_database_growth_bytes_per_day")).toBeGreaterThan(0);
    expect(sampleValue(after, "kaikai_errors_total", { kind: "ingest_batch" })).toBe(0);
    expect(sampleValue(after, "kaikai_health_check_ok", { check: DATABASE_WRITABLE })).toBe(1);
    // The two seeded sensors above the AQI's USG line opened their NowCast alerts at startup.
    expect(sampleValue(after, "kaikai_threshold_exceedances_total")).toBeGreaterThan(0);
    expect(sampleValue(after, "process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("streams each reading to the page as it is stored", async () => {
    const at = Date.now() - 1000;
    const live = await nextEvent<{ sensor_id: string; pm25: number; timestamp: string }>(
      url,
      "reading",
      (data) => data.sensor_id === "SENS003",
      async () => {
        await sensor.publishAsync(telemetry("SENS003"), reading("SENS003", at, 41.5), { qos: 1 });
      },
    );
    expect(live).toMatchObject({ pm25: 41.5, timestamp: new Date(at).toISOString() });
  });

  it("serves the page, its bundle, each sensor's AQI category and a sensor's last day", async () => {
    const page = await fetch(url);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/assets/app.js">');
    const bundle = await fetch(`${url}/assets/app.js`);
    expect(bundle.headers.get("content-type")).toContain("text/javascript");
    expect((await bundle.text()).length).toBeGreaterThan(10_000);

    const overview = (await (await fetch(`${url}/api/overview`)).json()) as Overview;
    expect(Object.fromEntries(overview.sensors.map((one) => [one.sensor_id, one.aqi?.category]))).toEqual(
      Object.fromEntries(Object.keys(KNOWN_RAW_PM25).map((id) => [id, knownCategory(id)])),
    );
    expect(overview.sensors.every((one) => one.aqi?.basis === "nowcast")).toBe(true);
    expect(overview.zones.ranking.map((zone) => zone.rank)).toEqual([1, 2, 3]);

    const series = (await (await fetch(`${url}/api/sensors/SENS004/series`)).json()) as Series;
    expect(series.times.length).toBeGreaterThanOrEqual(4 * 60);
    expect(series.values.pm25.at(0)).toBeCloseTo(KNOWN_RAW_PM25.SENS004 ?? Number.NaN, 0);
    expect(series.thresholds).toContainEqual({ measure: "pm25", value: 150, source: "pm25_reading_very_high" });
  });

  it("answers 404 for a sensor not in the registry and 405 for anything but GET", async () => {
    expect((await fetch(`${url}/api/sensors/NOPE/series`)).status).toBe(404);
    expect((await fetch(`${url}/health`, { method: "POST" })).status).toBe(405);
  });
});

describe("the dashboard beyond loopback", () => {
  it("refuses to start without an observer or admin login to ask for, before anything listens", async () => {
    await expect(
      startTestPipeline({ host: "0.0.0.0", auth: { tls: { key: Buffer.from(""), cert: Buffer.from("") } }, http: {} }),
    ).rejects.toThrow("the dashboard on 0.0.0.0 needs an observer or admin login in broker.clients of --config");
  });
});

describe("/health over time and when the file goes", () => {
  const ops = loadStagesFromCdkJson().dev.ops;
  const dir = tempDir("kaikai-health-");
  const dbPath = join(dir.path, "kaikai.db");
  const seededAt = Date.now();
  let now = seededAt;
  let db: Db;
  let server: DashboardServer | undefined;

  beforeAll(async () => {
    await seedKnownDatabase(dbPath, seededAt);
    db = openLocalStore(dbPath, SENSORS);
    await localRollupsOf(db).runLastDay();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  afterAll(() => {
    db.close();
    dir.remove();
  });

  const start = async (login?: BasicLogin) => {
    const writable = databaseWritableCheck(db, dbPath);
    server = await startDashboardServer({
      db,
      databasePath: dbPath,
      sensorIds: new Set(REGISTRY.keys()),
      alertRules: [],
      ops,
      clock: { now: () => now },
      assets: { html: "<!doctype html>", js: "", css: "" },
      live: new LiveEvents(),
      metrics: makePrometheusMetrics(),
      extraChecks: () => [writable()],
      host: "127.0.0.1",
      port: 0,
      ...(login === undefined ? {} : { login }),
    });
    return server.url;
  };

  it(`turns 503 once no reading has arrived for ${ops.silentMinutes} minutes`, async () => {
    const url = await start();
    now = seededAt;
    expect((await getHealth(url)).status).toBe(200);
    now = seededAt + (ops.silentMinutes + 1) * MINUTE_MS;
    const silent = await getHealth(url);
    expect(silent.status).toBe(503);
    expect(silent.body.failing?.map((check) => check.name)).toEqual([PIPELINE_ALARMS.noReadingStored]);
  });

  it("asks for a login, and lets in only the ones its check accepts", async () => {
    now = seededAt;
    const url = await start(async (username, password) => username === "ops" && password === "correct horse battery");
    const basic = (user: string, password: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
    });
    const anonymous = await fetch(`${url}/health`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toContain("Basic");
    expect((await fetch(`${url}/health`, { headers: basic("ops", "wrong") })).status).toBe(401);
    expect((await fetch(`${url}/health`, { headers: basic("admin", "correct horse battery") })).status).toBe(401);
    expect((await fetch(`${url}/health`, { headers: basic("ops", "correct horse battery") })).status).toBe(200);
  });

  // Last: the file is gone afterwards.
  it("turns 503 when the database file is deleted under it", async () => {
    now = seededAt;
    const url = await start();
    unlinkSync(dbPath);
    const gone = await getHealth(url);
    expect(gone.status).toBe(503);
    expect(gone.body.failing).toEqual([
      { name: DATABASE_WRITABLE, ok: false, detail: `${dbPath} is gone: readings cannot be kept` },
    ]);
  });
});
