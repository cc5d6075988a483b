/**
 * 3. Cold start: each function's bundle, built as the stack builds it, its size, and the time
 * from a fresh Node process's start to a ready handler (the module loaded and initialised),
 * against a hello-world bundle built the same way; each SDK client and Powertools alone show
 * what they cost. With the ingest bundle built, 6a measures its peak RSS on a batch.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FUNCTION_ENTRIES } from "../lambdas/bindings/entries.js";
import { type BuiltBundle, type BundleSpec, buildBundles } from "./lib/bundles.js";
import { measureIngestMemory } from "./lib/ingest-memory.js";
import { BENCH_BUNDLED_CONFIG, lambdaEnvironment } from "./lib/lambda-env.js";
import { type Figure, formatKb, formatMb, formatMs, formatRatio, progress } from "./lib/report.js";
import { median, runSection } from "./lib/section.js";

const MAX_INGEST_BYTES = 900 * 1024;
const MAX_INIT_VS_HELLO = 2.5;
const PROBE = new URL("./probes/load-bundle.mjs", import.meta.url).pathname;

const HELLO: BundleSpec = { label: "hello-world", entry: "bench/fixtures/hello.lambda.ts" };
const FUNCTIONS: BundleSpec[] = [
  { label: "ingest", entry: FUNCTION_ENTRIES.ingest, bundledConfig: BENCH_BUNDLED_CONFIG },
  { label: "hourly-rollup", entry: FUNCTION_ENTRIES.hourlyRollup, bundledConfig: BENCH_BUNDLED_CONFIG },
  { label: "zone-rollup", entry: FUNCTION_ENTRIES.zoneRollup },
];
const PARTS: BundleSpec[] = [
  ...["timestream-write", "timestream-query", "s3", "sns", "iot-data-plane"].map((name) => ({
    label: `client-${name}`,
    entry: `bench/fixtures/client-${name}.lambda.ts`,
  })),
  { label: "powertools", entry: "bench/fixtures/powertools.lambda.ts" },
];

interface Timing {
  readonly readyMs: number;
  readonly importMs: number;
}

function probe(bundle: BuiltBundle): Timing {
  const result = spawnSync(process.execPath, [PROBE, bundle.file], {
    env: lambdaEnvironment(bundle),
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`${bundle.label} failed to initialise:\n${result.stderr}`);
  return JSON.parse(result.stdout) as Timing;
}

/** Median timings per bundle; rounds go through every bundle in turn so that drift hits all alike. */
function measure(bundles: readonly BuiltBundle[], rounds: number): Map<string, Timing> {
  const samples = new Map<string, Timing[]>(bundles.map((bundle) => [bundle.label, []]));
  for (const bundle of bundles) probe(bundle);
  for (let round = 0; round < rounds; round++) {
    for (const bundle of bundles) samples.get(bundle.label)?.push(probe(bundle));
  }
  return new Map(
    [...samples].map(([label, timings]) => [
      label,
      { readyMs: median(timings.map((t) => t.readyMs)), importMs: median(timings.map((t) => t.importMs)) },
    ]),
  );
}

runSection(async (quick) => {
  const outdir = mkdtempSync(join(tmpdir(), "kaikai-bench-bundles-"));
  try {
    progress("3. cold start: synthesising the bundles with the house construct");
    const bundles = buildBundles([HELLO, ...FUNCTIONS, ...PARTS], outdir);
    const rounds = quick ? 5 : 15;
    progress(`3. cold start: ${rounds} fresh processes per bundle`);
    const timings = measure(bundles, rounds);
    const timingOf = (label: string): Timing => {
      const timing = timings.get(label);
      if (timing === undefined) throw new Error(`no timing for ${label}`);
      return timing;
    };
    const bundleOf = (label: string): BuiltBundle => {
      const bundle = bundles.find((built) => built.label === label);
      if (bundle === undefined) throw new Error(`no bundle for ${label}`);
      return bundle;
    };
    const hello = timingOf(HELLO.label);
    const describe = (bundle: BuiltBundle, timing: Timing) =>
      `${formatKb(bundle.bytes)} (${formatKb(bundle.initBytes)} loaded at init); ready in ${formatMs(timing.readyMs)} (import ${formatMs(timing.importMs)})`;
    const baseline = `hello-world: ${formatKb(bundleOf(HELLO.label).bytes)}; ${formatMs(hello.readyMs)} (import ${formatMs(hello.importMs)})`;
    const coldStart = bundles
      .filter((bundle) => bundle.label !== HELLO.label)
      .map((bundle, index): Figure => {
        const timing = timingOf(bundle.label);
        const ratio = timing.readyMs / hello.readyMs;
        const isFunction = FUNCTIONS.some((spec) => spec.label === bundle.label);
        const isIngest = bundle.label === "ingest";
        return {
          id: `3${String.fromCharCode(97 + index)}`,
          measure: isFunction
            ? `${bundle.label} function: bundle size (all modules; loaded at init); process start to ready handler`
            : `${bundle.label} alone (cost of a part), same measure`,
          value: describe(bundle, timing),
          baseline,
          ratio: `${formatRatio(ratio)} init (+${formatMs(timing.readyMs - hello.readyMs)})`,
          bar: isIngest ? `< ${formatKb(MAX_INGEST_BYTES)}; <= ${MAX_INIT_VS_HELLO}x` : "",
          met: isIngest ? bundle.bytes < MAX_INGEST_BYTES && ratio <= MAX_INIT_VS_HELLO : null,
        };
      });
    const ingest = bundleOf("ingest");
    progress("6. memory: the ingest bundle on a 100-reading batch, fresh processes");
    const memory = await measureIngestMemory(ingest, outdir, quick ? 3 : 5);
    const otherCalls = memory.otherCalls.length === 0 ? "" : `; also called ${memory.otherCalls.join(", ")}`;
    return [
      ...coldStart,
      {
        id: "6a",
        measure: `peak RSS of the built ingest function handling one 100-reading SQS batch (${memory.writeCalls} WriteRecords call, ${memory.records} records${otherCalls})`,
        value: formatMb(memory.handlerPeakRssBytes),
        baseline: `empty Node process: ${formatMb(memory.emptyPeakRssBytes)}`,
        ratio: `${formatRatio(memory.handlerPeakRssBytes / memory.emptyPeakRssBytes)} (+${formatMb(memory.handlerPeakRssBytes - memory.emptyPeakRssBytes)})`,
        bar: "",
        met: null,
      },
    ];
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
