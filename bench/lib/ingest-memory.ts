/**
 * 6a. Peak RSS of the built ingest bundle handling one 100-reading SQS batch in a fresh process,
 * its SDK clients talking to a loopback stand-in for AWS, against an empty Node process started
 * with the same options.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeAws } from "../../test/bundles/fake-aws.js";
import type { BuiltBundle } from "./bundles.js";
import { recentMessages, sqsEvents } from "./fleet-messages.js";
import { lambdaEnvironment } from "./lambda-env.js";
import { median } from "./section.js";

const BATCH = 100;
const PROBE = new URL("../probes/invoke-bundle.mjs", import.meta.url).pathname;
const EMPTY_PROCESS = new URL("../probes/empty-process.mjs", import.meta.url).pathname;

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("exit", (code) => {
      // The function prints its EMF metrics on stdout too; the probe's report is the last line.
      const last = stdout.trim().split("\n").at(-1) ?? "";
      if (code === 0 && last.startsWith("{")) resolve(JSON.parse(last) as Record<string, unknown>);
      else reject(new Error(`${args.join(" ")} exited with ${code}:\n${stderr}`));
    });
  });
}

interface IngestMemory {
  readonly handlerPeakRssBytes: number;
  readonly emptyPeakRssBytes: number;
  readonly writeCalls: number;
  readonly records: number;
  readonly otherCalls: readonly string[];
}

export async function measureIngestMemory(bundle: BuiltBundle, workDir: string, runs: number): Promise<IngestMemory> {
  const eventFile = join(workDir, "sqs-event.json");
  const [event] = sqsEvents(recentMessages(BATCH, 2, Date.now()), BATCH);
  writeFileSync(eventFile, JSON.stringify(event));
  const aws = await startFakeAws();
  try {
    const env = lambdaEnvironment(bundle, { AWS_ENDPOINT_URL: aws.url });
    const handlerPeaks: number[] = [];
    const emptyPeaks: number[] = [];
    for (let index = 0; index < runs; index++) {
      const invoked = await run([PROBE, bundle.file, eventFile], env);
      const failures = (invoked.response as { batchItemFailures?: unknown[] }).batchItemFailures ?? [];
      if (failures.length > 0) throw new Error(`the ingest bundle failed ${failures.length} of ${BATCH} readings`);
      handlerPeaks.push(Number(invoked.peakRssBytes));
      emptyPeaks.push(Number((await run([EMPTY_PROCESS], env)).peakRssBytes));
    }
    const writes = aws.callsOf("timestream-write", "WriteRecords");
    const records = writes.reduce(
      (total, call) => total + ((JSON.parse(call.body) as { Records?: unknown[] }).Records?.length ?? 0),
      0,
    );
    const otherCalls = aws.calls
      .filter((call) => !writes.includes(call))
      .map((call) => `${call.method} ${call.path.replace(/\?.*/, "")}`);
    return {
      handlerPeakRssBytes: median(handlerPeaks),
      emptyPeakRssBytes: median(emptyPeaks),
      writeCalls: writes.length / runs,
      records: records / runs,
      otherCalls: [...new Set(otherCalls)],
    };
  } finally {
    await aws.close();
  }
}
