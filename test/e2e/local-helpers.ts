import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type mqtt from "mqtt";
import { telemetryTopic } from "../../lambdas/core/topics.js";
import { type RunningPipeline, type StartOptions, startLocalPipeline } from "../../local/runtime/start.js";
import { goodPayload } from "../fixtures/telemetry.js";

export function tempDir(prefix: string): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Polls until `check` returns a value other than undefined; fails with `what` after the timeout. */
export async function eventually<T>(what: string, check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Reads the pipeline's database through a second connection, as a report would. */
export function query<T>(dbPath: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

export interface TestPipeline {
  readonly pipeline: RunningPipeline;
  readonly dbPath: string;
  readonly lines: string[];
  stop(): Promise<void>;
}

/** The local pipeline in this process: a real aedes broker on a free loopback port, a real SQLite file. */
export async function startTestPipeline(options: Partial<StartOptions> = {}): Promise<TestPipeline> {
  const dir = tempDir("kaikai-e2e-");
  const dbPath = join(dir.path, "kaikai.db");
  const lines: string[] = [];
  const pipeline = await startLocalPipeline({
    dbPath,
    host: "127.0.0.1",
    port: 0,
    auth: {},
    simulate: false,
    terminal: { print: (line) => lines.push(line), status: () => undefined, end: () => undefined },
    ...options,
  }).catch((error: unknown) => {
    dir.remove();
    throw error;
  });
  return {
    pipeline,
    dbPath,
    lines,
    async stop() {
      await pipeline.stop();
      dir.remove();
    },
  };
}

export const reading = (sensorId: string, timestamp: number, pm25: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify(goodPayload({ sensor_id: sensorId, timestamp, pm25, ...extra }));

export const telemetry = telemetryTopic;

/** Publishes at QoS 1 and says whether the broker acknowledged it or closed the connection instead. */
export function publishOutcome(
  client: mqtt.MqttClient,
  topic: string,
  payload: string,
  options: Partial<mqtt.IClientPublishOptions> = {},
): Promise<"acknowledged" | "refused"> {
  const refused = new Promise<"refused">((resolve) => client.once("close", () => resolve("refused")));
  const acknowledged = new Promise<"acknowledged">((resolve) =>
    client.publish(topic, payload, { qos: 1, ...options }, (error) => {
      if (error === undefined || error === null) resolve("acknowledged");
    }),
  );
  return Promise.race([acknowledged, refused]);
}
