/** Runs a probe (bench/probes) in its own Node process and reads its JSON lines. */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";

interface ProbeProcess {
  /** The probe's first line, sent once it is ready. */
  readonly ready: Record<string, unknown>;
  /** Closes its stdin and resolves with its last line. */
  stop(): Promise<Record<string, unknown>>;
}

export async function startProbe(script: URL, args: readonly string[] = []): Promise<ProbeProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ["--import", "tsx", script.pathname, ...args], {
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
    stdio: "pipe",
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const nextLine = async (): Promise<Record<string, unknown>> => {
    const line = await Promise.race([lines.next(), exited.then(() => ({ done: true, value: undefined }))]);
    if (line.done || line.value === undefined) throw new Error(`probe ${script.pathname} ended early:\n${stderr}`);
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  const ready = await nextLine();
  return {
    ready,
    async stop() {
      child.stdin.end();
      const last = await nextLine();
      await exited;
      return last;
    },
  };
}
