/**
 * How a probe process talks to the benchmark: one JSON line when ready, one when done; it stops
 * when its stdin closes (the benchmark ends it), and reports its own peak RSS.
 */
import { peakRssBytes } from "./peak-rss.mjs";

export function report(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(fields)}\n`);
}

export function onStdinClosed(stop: () => Promise<Record<string, unknown>>): void {
  process.stdin.resume();
  process.stdin.on("end", () => {
    stop().then(
      (fields) => {
        report({ ...fields, peakRssBytes: peakRssBytes() });
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
