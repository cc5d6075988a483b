/**
 * One writer per database: `kaikai start` holds `<db>.lock` while it runs, a JSON note of who
 * holds it (process id, start time, where it listens). A second start on the same file reads the
 * note and refuses, naming the running one. A holder killed without cleaning up (SIGKILL, a power
 * cut) leaves a note whose process is gone: the next start takes the lock over, as it does a note
 * with its own process id (a container restarted, whose process has the same pid again).
 */
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { explainingOpenErrors, LocalStoreError } from "./database.js";

export interface LockHolder {
  readonly pid: number;
  /** ISO 8601. */
  readonly started_at: string;
  readonly broker?: string;
  readonly dashboard?: string;
}

export interface WriterLock {
  /** Adds where the holder listens, once it does, for the next start's refusal to name. */
  describe(where: { readonly broker?: string; readonly dashboard?: string }): void;
  release(): void;
}

export class DatabaseInUseError extends LocalStoreError {
  constructor(dbPath: string, holder: LockHolder) {
    const where = [holder.broker, holder.dashboard].filter((one) => one !== undefined).join(", ");
    super(
      `${dbPath} is in use by another kaikai start (pid ${holder.pid}, since ${holder.started_at}${where === "" ? "" : `, ${where}`}): stop it, or give --db another file`,
    );
    this.name = "DatabaseInUseError";
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, "utf8")) as Partial<LockHolder>;
    return typeof holder.pid === "number" && typeof holder.started_at === "string" ? (holder as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the database's writer lock, or throws DatabaseInUseError naming its running holder. */
export function lockDatabase(dbPath: string): WriterLock {
  return explainingOpenErrors(dbPath, () => takeLock(dbPath, Date.now()));
}

/** A note without a readable holder this young is another start's, between creating and writing it. */
const NOTE_BEING_WRITTEN_MS = 5000;

function takeLock(dbPath: string, startedAt: number): WriterLock {
  const path = `${dbPath}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  let holder: LockHolder = { pid: process.pid, started_at: new Date(startedAt).toISOString() };
  // Two tries: the second after removing the note of a holder that is gone.
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeFileSync(fd, JSON.stringify(holder));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
      const current = readHolder(path);
      if (current !== undefined && current.pid !== process.pid && isRunning(current.pid)) {
        throw new DatabaseInUseError(dbPath, current);
      }
      if (current === undefined && Date.now() - statSync(path).mtimeMs < NOTE_BEING_WRITTEN_MS) {
        throw new LocalStoreError(
          `${dbPath} is being opened by another kaikai start: wait for it, or give --db another file`,
        );
      }
      unlinkSync(path);
    }
  }
  let held = true;
  return {
    describe(where) {
      holder = { ...holder, ...where };
      if (held) writeFileSync(path, JSON.stringify(holder));
    },
    release() {
      if (!held) return;
      held = false;
      if (readHolder(path)?.pid === process.pid) unlinkSync(path);
    },
  };
}
