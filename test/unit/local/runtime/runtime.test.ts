import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import type { AlertNotice } from "../../../../lambdas/core/alerts.js";
import { makeLocalAlertSink } from "../../../../local/runtime/alert-sink.js";
import {
  assertSafeListen,
  ConfigError,
  isLoopback,
  loadBrokerAuth,
  weakPasswordReason,
} from "../../../../local/runtime/broker-config.js";
import { makeIdentities } from "../../../../local/runtime/broker-identity.js";
import { LOGIN_THROTTLE, startEmbeddedBroker } from "../../../../local/runtime/embedded-broker.js";
import { GroupCommitter, NotCommittedError } from "../../../../local/runtime/group-commit.js";
import { hashPassword } from "../../../../local/runtime/password-hash.js";
import { nextAtMinute } from "../../../../local/runtime/scheduler.js";
import { makeTerminal, type TerminalStream } from "../../../../local/runtime/terminal.js";
import { anAlertNotice } from "../../../fixtures/alerts.js";
import { aLogin, hashForTest } from "../../../fixtures/broker-logins.js";

describe("group commit", () => {
  it("commits messages that arrive together as one batch, and settles each by its own fate", async () => {
    const batches: number[][] = [];
    const committer = new GroupCommitter<number>(
      async (items) => {
        batches.push([...items]);
        return items.flatMap((item, index) => (item === 3 ? [index] : []));
      },
      { maxBatch: 100, maxDelayMs: 5 },
    );
    const results = await Promise.allSettled([1, 2, 3, 4].map((item) => committer.submit(item)));
    expect(batches).toEqual([[1, 2, 3, 4]]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
  });

  it("never lets a batch grow past its maximum, and rejects the whole batch when the commit throws", async () => {
    const sizes: number[] = [];
    const committer = new GroupCommitter<number>(
      async (items) => {
        sizes.push(items.length);
        if (items.includes(7)) throw new Error("disk full");
        return [];
      },
      { maxBatch: 3, maxDelayMs: 5 },
    );
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, item) => committer.submit(item)));
    expect(sizes).toEqual([3, 3, 2]);
    expect(results.slice(6).map((result) => result.status)).toEqual(["rejected", "rejected"]);
    expect(results.slice(0, 6).every((result) => result.status === "fulfilled")).toBe(true);
  });

  it("flushes what is pending on close, then refuses new items", async () => {
    let committed = 0;
    const committer = new GroupCommitter<number>(
      async (items) => {
        committed += items.length;
        return [];
      },
      { maxBatch: 100, maxDelayMs: 60_000 },
    );
    const pending = committer.submit(1);
    await committer.close();
    await expect(pending).resolves.toBeUndefined();
    expect(committed).toBe(1);
    await expect(committer.submit(2)).rejects.toBeInstanceOf(NotCommittedError);
  });
});

describe("the hourly schedule", () => {
  it("fires at the given minute of the next hour when this hour's is past", () => {
    const at = (iso: string) => Date.parse(iso);
    expect(nextAtMinute(at("2026-11-28T10:03:00Z"), 5)).toBe(at("2026-11-28T10:05:00Z"));
    expect(nextAtMinute(at("2026-11-28T10:05:00Z"), 5)).toBe(at("2026-11-28T11:05:00Z"));
    expect(nextAtMinute(at("2026-11-28T23:59:00Z"), 10)).toBe(at("2026-11-29T00:10:00Z"));
  });
});

describe("the terminal", () => {
  function fakeStream(isTTY: boolean) {
    let written = "";
    const stream: TerminalStream = {
      isTTY,
      columns: 80,
      write: (chunk) => {
        written += chunk;
      },
    };
    return { stream, written: () => written };
  }

  it("rewrites the status line in place on a terminal and keeps printed lines above it", () => {
    const { stream, written } = fakeStream(true);
    const terminal = makeTerminal(stream);
    terminal.status("5 readings/s");
    terminal.print("ALERT");
    terminal.status("6 readings/s");
    expect(written()).toBe("5 readings/s\r\x1b[2KALERT\n5 readings/s\r\x1b[2K6 readings/s");
  });

  it("prints the status as a plain line now and then when not on a terminal, and the last one at the end", () => {
    const { stream, written } = fakeStream(false);
    let now = 0;
    const terminal = makeTerminal(stream, { plainEveryMs: 10_000, now: () => now });
    terminal.status("a");
    now = 5000;
    terminal.status("b");
    now = 10_000;
    terminal.status("c");
    now = 11_000;
    terminal.status("d");
    terminal.end();
    expect(written()).toBe("a\nc\nd\n");
  });
});

describe("the embedded broker's access", () => {
  it.each([
    ["eight spaces", "        "],
    ["a common password", "password123"],
    ["the username and digits", "gateway123"],
  ])("judges a weak password weak (%s), with zxcvbn's reason", (_what, password) => {
    expect(weakPasswordReason(password, "gateway")).toMatch(/^zxcvbn scores it [0-2] of 4/);
    expect(weakPasswordReason("correct horse battery staple", "gateway")).toBeUndefined();
  });

  describe("its --config file", () => {
    const dir = mkdtempSync(join(tmpdir(), "kaikai-config-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const load = (broker: unknown) => {
      const path = join(dir, "kaikai.json");
      writeFileSync(path, JSON.stringify({ broker }));
      return () => loadBrokerAuth(path);
    };

    it("refuses one login shared by every client, saying what to give instead", () => {
      const shared = load({ username: "gateway", password: "correct horse battery staple" });
      expect(shared).toThrow(ConfigError);
      expect(shared).toThrow(/one login shared by every client.*give broker\.clients instead, one per sensor/);
    });

    it("refuses a password kept in clear, and a hash it cannot check", async () => {
      expect(load({ clients: [{ username: "SENS001", password: "x", sensor: "SENS001" }] })).toThrow(
        /kept only as its hash: replace "password" by "password_hash" from npx kaikai broker hash-password/,
      );
      expect(
        load({ clients: [{ username: "SENS001", password_hash: "5f4dcc3b5aa765d6", sensor: "SENS001" }] }),
      ).toThrow(/not a scrypt hash/);
      const cheap = await hashPassword("correct horse battery staple", { ln: 10, r: 8, p: 1 });
      expect(load({ clients: [{ username: "SENS001", password_hash: cheap, sensor: "SENS001" }] })).toThrow(
        /not a scrypt hash/,
      );
    });

    it("gives each login one identity: a sensor, or a role", async () => {
      const hash = await hashForTest("correct horse battery staple");
      const auth = load({
        clients: [
          { username: "SENS001", password_hash: hash, sensor: "SENS001" },
          { username: "grafana", password_hash: hash, role: "observer" },
        ],
      })();
      expect(auth.clients?.map(({ username, role }) => ({ username, role }))).toEqual([
        { username: "SENS001", role: { kind: "sensor", sensorId: "SENS001" } },
        { username: "grafana", role: { kind: "observer" } },
      ]);
      expect(load({ clients: [{ username: "both", password_hash: hash, sensor: "SENS001", role: "admin" }] })).toThrow(
        /either a sensor .* or has a "role"/,
      );
      expect(
        load({
          clients: [
            { username: "twice", password_hash: hash, sensor: "SENS001" },
            { username: "twice", password_hash: hash, sensor: "SENS002" },
          ],
        }),
      ).toThrow(/usernames must differ/);
    });
  });

  it("treats only loopback as safe for anonymous clients", async () => {
    expect(isLoopback("127.0.0.1")).toBe(true);
    expect(isLoopback("::1")).toBe(true);
    expect(isLoopback("0.0.0.0")).toBe(false);
    expect(() => assertSafeListen("0.0.0.0", {})).toThrow(ConfigError);
    const clients = [await aLogin("SENS001", "correct horse battery staple", { kind: "sensor", sensorId: "SENS001" })];
    expect(() => assertSafeListen("0.0.0.0", { clients })).not.toThrow();
  });

  it("refuses anonymous and wrong-password clients when logins are configured, and throttles a guesser", async () => {
    const clients = [await aLogin("SENS001", "s3cret-pass", { kind: "sensor", sensorId: "SENS001" })];
    const broker = await startEmbeddedBroker({
      host: "127.0.0.1",
      port: 0,
      auth: { clients },
      identities: makeIdentities({ clients, isSensor: () => true }),
      ingest: async () => undefined,
    });
    try {
      const attempt = (options: mqtt.IClientOptions) =>
        mqtt.connectAsync(broker.url, { reconnectPeriod: 0, ...options }).then(
          (client) => client.endAsync().then(() => "connected"),
          (error: Error) => error.message,
        );
      expect(await attempt({})).toMatch(/Bad username or password|Not authorized/i);
      expect(await attempt({ username: "SENS001", password: "wrong-pass" })).toMatch(/Bad username or password/i);
      expect(await attempt({ username: "SENS001", password: "s3cret-pass" })).toBe("connected");

      // A guesser: after LOGIN_THROTTLE.maxFailures wrong passwords, even the right one is refused for a while.
      for (let guess = 0; guess < LOGIN_THROTTLE.maxFailures; guess++) {
        expect(await attempt({ username: "SENS001", password: `guess-${guess}` })).toMatch(/Bad username or password/i);
      }
      expect(await attempt({ username: "SENS001", password: "s3cret-pass" })).toMatch(/Not authorized/i);
    } finally {
      await broker.close();
    }
  });

  it("takes the next free port when 1883's neighbours are taken", async () => {
    const anyone = { auth: {}, identities: makeIdentities({ isSensor: () => true }), ingest: async () => undefined };
    const first = await startEmbeddedBroker({ host: "127.0.0.1", ...anyone });
    const second = await startEmbeddedBroker({ host: "127.0.0.1", ...anyone });
    try {
      expect(second.port).toBeGreaterThan(first.port);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

describe("the local alert sink", () => {
  const notice = anAlertNotice();

  it("prints, publishes on kaikai/alerts/{id} and posts to the webhook, retrying a failing one a bounded number of times", async () => {
    const posts: string[] = [];
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on("end", () => {
        posts.push(body);
        response.statusCode = posts.length === 1 ? 503 : 204;
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const printed: string[] = [];
    const published: [string, string][] = [];
    try {
      const sink = makeLocalAlertSink({
        publishMqtt: async (topic, payload) => {
          published.push([topic, payload]);
        },
        print: (line) => printed.push(line),
        webhook: new URL(`http://127.0.0.1:${port}/hook`),
        webhookAttempts: 3,
        webhookRetryDelayMs: 0,
      });
      await sink.publish(notice);
      expect(published).toEqual([["kaikai/alerts/SENS001", JSON.stringify(notice)]]);
      expect(printed).toEqual([
        "[CRITICAL] ALERT SENS001 pm25 180 (Urban, single reading, threshold 150, at 2026-11-28T10:00:00.000Z)",
      ]);
      await sink.settled();
      expect(posts.map((body) => JSON.parse(body))).toEqual([notice, notice]);
    } finally {
      server.close();
    }
  });

  it("publishes every reminder but prints only those about recent observations, not the backfill's history", async () => {
    const printed: string[] = [];
    const published: string[] = [];
    const now = Date.parse("2026-11-28T20:00:00.000Z");
    const sink = makeLocalAlertSink({
      publishMqtt: async (_topic, payload) => {
        published.push(payload);
      },
      print: (line) => printed.push(line),
      now: () => now,
    });
    const reminder = (at: string): AlertNotice => ({ ...notice, state: "reminder", at });
    await sink.publish(reminder("2026-11-28T12:00:00.000Z"));
    await sink.publish(reminder("2026-11-28T19:05:00.000Z"));
    await sink.publish({ ...notice, state: "resolved", at: "2026-11-28T13:00:00.000Z" });
    expect(published).toHaveLength(3);
    expect(printed).toEqual([
      "[CRITICAL] STILL SENS001 pm25 180 (Urban, single reading, threshold 150, at 2026-11-28T19:05:00.000Z)",
      "[CRITICAL] RESOLVED SENS001 pm25 180 (Urban, single reading, threshold 150, at 2026-11-28T13:00:00.000Z)",
    ]);
  });

  it("gives up on an unreachable webhook without failing the notice", async () => {
    const printed: string[] = [];
    const sink = makeLocalAlertSink({
      publishMqtt: async () => undefined,
      print: (line) => printed.push(line),
      webhook: new URL("http://127.0.0.1:9/unreachable"),
      webhookAttempts: 2,
      webhookRetryDelayMs: 0,
    });
    await expect(sink.publish(notice)).resolves.toBeUndefined();
    await sink.settled();
    expect(printed.at(-1)).toMatch(/^webhook http:\/\/127\.0\.0\.1:9 failed after 2 attempts/);
  });
});
