import { describe, expect, it } from "vitest";
import { HOUR_MS } from "../../../lambdas/core/time.js";
import { InvalidRollupEventError, rollupRange } from "../../../lambdas/use-cases/rollup-range.js";

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
