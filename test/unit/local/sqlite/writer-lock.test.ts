import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalStoreError } from "../../../../local/sqlite/database.js";
import { DatabaseInUseError, lockDatabase } from "../../../../local/sqlite/writer-lock.js";

let dir: string;
let dbPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kaikai-lock-"));
  dbPath = join(dir, "kaikai.db");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid no process has: above Linux's largest (4194304). */
const GONE_PID = 4_194_305;
const note = (holder: object) => writeFileSync(`${dbPath}.lock`, JSON.stringify(holder));

describe("the writer lock of a database", () => {
  it("is a note of who holds it, completed with where it listens, and gone once released", () => {
    const lock = lockDatabase(dbPath);
    lock.describe({ broker: "mqtt://127.0.0.1:1883" });
    expect(JSON.parse(readFileSync(`${dbPath}.lock`, "utf8"))).toMatchObject({
      pid: process.pid,
      broker: "mqtt://127.0.0.1:1883",
    });
    lock.release();
    expect(existsSync(`${dbPath}.lock`)).toBe(false);
  });

  it("is refused while another running process holds it, naming it", () => {
    note({ pid: process.ppid, started_at: "2026-12-02T10:00:00.000Z", broker: "mqtt://127.0.0.1:1884" });
    expect(() => lockDatabase(dbPath)).toThrow(DatabaseInUseError);
    expect(() => lockDatabase(dbPath)).toThrow(
      `${dbPath} is in use by another kaikai start (pid ${process.ppid}, since 2026-12-02T10:00:00.000Z, mqtt://127.0.0.1:1884)`,
    );
  });

  it("is taken over from a holder that is gone", () => {
    note({ pid: GONE_PID, started_at: "2026-12-02T10:00:00.000Z" });
    lockDatabase(dbPath).release();
  });

  it("is refused while another start is still writing its note, and taken over once that note is stale", () => {
    writeFileSync(`${dbPath}.lock`, "");
    expect(() => lockDatabase(dbPath)).toThrow(LocalStoreError);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${dbPath}.lock`, old, old);
    lockDatabase(dbPath).release();
  });
});
