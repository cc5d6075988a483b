import { describe, expect, it } from "vitest";
import { HOUR_MS } from "../../../lambdas/core/time.js";
import {
  backfillChunks,
  InvalidRollupEventError,
  lateDataRanges,
  rollupRange,
} from "../../../lambdas/use-cases/rollup-range.js";

const NOW = Date.parse("2026-11-28T12:05:00Z");
const at = (iso: string): number => Date.parse(iso);

describe("rollupRange", () => {
  it.each([{}, null, undefined, { "detail-type": "Scheduled Event" }])(
    "takes %j as the last complete hour and the two before it",
    (event) => {
      expect(rollupRange(event, NOW)).toEqual({ from: at("2026-11-28T09:00:00Z"), to: at("2026-11-28T12:00:00Z") });
    },
  );

  it("re-runs one given hour", () => {
    expect(rollupRange({ hour: "2026-11-28T10:00:00Z" }, NOW)).toEqual({
      from: at("2026-11-28T10:00:00Z"),
      to: at("2026-11-28T11:00:00Z"),
    });
    expect(rollupRange({ hour: "2026-11-28T11:00:00+01:00" }, NOW).from).toBe(at("2026-11-28T10:00:00Z"));
  });

  it("backfills a range of hours", () => {
    expect(rollupRange({ from: "2026-11-27T00:00:00Z", to: "2026-11-28T00:00:00Z" }, NOW)).toEqual({
      from: at("2026-11-27T00:00:00Z"),
      to: at("2026-11-28T00:00:00Z"),
    });
  });

  it.each([
    [{ hour: "2026-11-28T10:30:00Z" }, /hour boundary/],
    [{ hour: "yesterday" }, /hour/],
    [{ from: "2026-11-28T10:00:00Z", to: "2026-11-28T09:00:00Z" }, /after/],
    [{ from: "2026-11-01T00:00:00Z", to: "2026-11-28T00:00:00Z" }, /at most 168 hours/],
    [{ hour: "2026-11-28T10:00:00Z", from: "2026-11-28T09:00:00Z" }, /expected/],
    [{ hour: "2026-11-28T12:00:00Z" }, /only complete hours/],
    ["2026-11-28T10:00:00Z", /expected/],
  ])("refuses %j with a clear message", (event, message) => {
    expect(() => rollupRange(event, NOW)).toThrow(InvalidRollupEventError);
    expect(() => rollupRange(event, NOW)).toThrow(message);
  });

  it("accepts the current hour's start as the end of a backfill", () => {
    const range = rollupRange({ from: "2026-11-28T11:00:00Z", to: "2026-11-28T12:00:00Z" }, NOW);
    expect(range.to - range.from).toBe(HOUR_MS);
  });
});

describe("backfillChunks and lateDataRanges", () => {
  const H = (iso: string) => Date.parse(iso);

  it("splits a long backfill into invocations of at most a week", () => {
    const from = H("2026-11-01T00:00:00Z");
    const chunks = backfillChunks({ from, to: from + 400 * HOUR_MS });
    expect(chunks.map((c) => (c.to - c.from) / HOUR_MS)).toEqual([168, 168, 64]);
    expect(chunks[0]?.from).toBe(from);
    expect(chunks.at(-1)?.to).toBe(from + 400 * HOUR_MS);
  });

  it("rolls a late hour up again with the 11 hours whose NowCast weighs it, not what the scheduled run covers", () => {
    const now = H("2026-11-28T20:05:00Z");
    // A reading for 10:00 arrives at 20:00: 10:00 to 17:00 again (the run at 20:05 covers 17:00-20:00).
    expect(lateDataRanges([H("2026-11-28T10:00:00Z")], now)).toEqual([
      { from: H("2026-11-28T10:00:00Z"), to: H("2026-11-28T17:00:00Z") },
    ]);
    // Older: its 12 hours, merged with an overlapping late hour; a recent one is left to the run.
    expect(
      lateDataRanges([H("2026-11-27T01:30:00Z"), H("2026-11-27T05:00:00Z"), H("2026-11-28T18:00:00Z")], now),
    ).toEqual([{ from: H("2026-11-27T01:00:00Z"), to: H("2026-11-27T17:00:00Z") }]);
    expect(lateDataRanges([], now)).toEqual([]);
  });
});
