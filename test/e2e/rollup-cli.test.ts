/**
 * `kaikai rollup --since`: every roll-up again since a time, locally on the store, or with
 * --stage by invoking the stage's roll-up functions by name (here a loopback stand-in for the
 * Lambda API, as the SDK reaches it through AWS_ENDPOINT_URL_LAMBDA).
 */
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HOUR_MS, hourStartOf } from "../../lambdas/core/time.js";
import { openLocalStore } from "../../local/runtime/local-store.js";
import { toSqliteTime } from "../../local/sqlite/time.js";
import { tempDir } from "./local-helpers.js";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function kaikai(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "local/cli.ts", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
}

const bodyOf = async (request: IncomingMessage): Promise<string> => {
  let body = "";
  for await (const chunk of request) body += String(chunk);
  return body;
};

describe("kaikai rollup --since", () => {
  it("rolls up every hour since then on the local store and says what it did", async () => {
    const dir = tempDir("kaikai-rollup-");
    cleanups.push(dir.remove);
    const dbPath = join(dir.path, "kaikai.db");
    const store = openLocalStore(dbPath);
    const hour = hourStartOf(Date.now()) - 30 * HOUR_MS;
    store
      .prepare(
        `INSERT INTO measurements (sensor_id, timestamp, pm25, temperature, humidity, co2, received_at)
         VALUES ('SENS004', ?, 42, 30, 70, 600, 0)`,
      )
      .run(toSqliteTime(hour + 60_000));
    store.close();

    const since = new Date(hour).toISOString();
    const { code, stdout, stderr } = await kaikai(["rollup", "--since", since, "--db", dbPath]);

    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toMatch(/^rolled up \d{4}-\d{2}-\d{2}T\d{2}:00 to \d{4}-\d{2}-\d{2}T\d{2}:00 UTC: \d+ rows$/m);
    const db = openLocalStore(dbPath);
    try {
      const rows = db.prepare("SELECT COUNT(*) FROM hourly_aggregates WHERE hour >= ?").pluck().get(toSqliteTime(hour));
      expect(rows).toBe(30 * 5);
      expect(
        db
          .prepare("SELECT readings, pm25_mean FROM zone_aggregates WHERE zone = 'Commercial' AND hour = ?")
          .get(toSqliteTime(hour)),
      ).toEqual({ readings: 1, pm25_mean: 42 });
    } finally {
      db.close();
    }
  });

  it("with --stage invokes the stage's hourly then zone roll-up functions, a week at a time", async () => {
    const invocations: { path: string; body: unknown }[] = [];
    const server = createServer(async (request, response) => {
      invocations.push({ path: request.url ?? "", body: JSON.parse(await bodyOf(request)) });
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ rowsWritten: 7 }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const since = hourStartOf(Date.now()) - 200 * HOUR_MS;

    const { code, stdout, stderr } = await kaikai(
      ["rollup", "--since", new Date(since).toISOString(), "--stage", "dev"],
      {
        AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${port}`,
        AWS_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
      },
    );

    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(invocations.map((call) => call.path)).toEqual([
      "/2015-03-31/functions/kaikai-dev-hourly-rollup/invocations",
      "/2015-03-31/functions/kaikai-dev-zone-rollup/invocations",
      "/2015-03-31/functions/kaikai-dev-hourly-rollup/invocations",
      "/2015-03-31/functions/kaikai-dev-zone-rollup/invocations",
    ]);
    expect(invocations[0]?.body).toEqual({
      from: new Date(since).toISOString(),
      to: new Date(since + 168 * HOUR_MS).toISOString(),
    });
    expect(stdout).toContain("kaikai-dev-zone-rollup: rolled up");
  });

  it("refuses a --since that is not a time, or that leaves no complete hour", async () => {
    const [bad, future] = await Promise.all([
      kaikai(["rollup", "--since", "yesterday"]),
      kaikai(["rollup", "--since", new Date(Date.now() + HOUR_MS).toISOString()]),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      "kaikai: --since must be an ISO 8601 time such as 2026-11-28T00:00:00Z, not yesterday (run 'npx kaikai help' for usage)",
    );
    expect(future.code).toBe(2);
    expect(future.stderr).toContain("leaves no complete hour to roll up");
  });
});
