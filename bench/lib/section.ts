/**
 * Each section of the benchmark runs in a fresh Node process (its own heap, JIT and RSS): it
 * prints its figures as one JSON line, last on stdout, for bench/run.ts to collect. The timing
 * helpers below are the ones every section shares.
 */
import type { Figure } from "./report.js";

export const FIGURES_PREFIX = "KAIKAI_BENCH_FIGURES ";

export function runSection(measure: (quick: boolean) => Promise<Figure[]>): void {
  const quick = process.argv.includes("--quick");
  measure(quick).then(
    (figures) => {
      process.stdout.write(`${FIGURES_PREFIX}${JSON.stringify(figures)}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

/** Nanoseconds of a synchronous run of `work`. */
export function timeNs(work: () => void): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start);
}

/** The middle sample: one slow outlier on a shared, noisy machine does not move it. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
