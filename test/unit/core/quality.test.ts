import { describe, expect, it } from "vitest";
import { assessReading, assessSeries, neighbourFlags, parseFlags } from "../../../lambdas/core/quality.js";

const MINUTE = 60_000;
const T0 = Date.parse("2026-11-28T06:00:00Z");
const clean = { pm25: 20, humidity: 60, co2: 600 };

/** Readings a minute apart, received as they were taken. */
const series = (values: readonly number[]) =>
  values.map((pm25, index) => ({ timestamp: T0 + index * MINUTE, receivedAt: T0 + index * MINUTE + 500, pm25 }));

describe("ingest flags", () => {
  it("flags fog at 95 % RH and above, not at 94", () => {
    expect(assessReading({ ...clean, humidity: 95 }, "epa_barkjohn_2022").flags).toEqual(["fog"]);
    expect(assessReading({ ...clean, humidity: 94 }, "epa_barkjohn_2022").flags).toEqual([]);
  });

  it("flags CO2 below the outdoor background of 400 ppm", () => {
    expect(assessReading({ ...clean, co2: 380 }, "none").flags).toEqual(["co2_below_background"]);
    expect(assessReading({ ...clean, co2: 400 }, "none").flags).toEqual([]);
  });

  it("flags channels that disagree by both 5 ug/m3 and 70 %, and corrects the mean of two that agree", () => {
    expect(assessReading({ ...clean, pm25: 30, pm25B: 10 }, "none").flags).toEqual(["channel_disagreement"]);
    // 4 ug/m3 apart is 133 %, but under 5: no flag.
    expect(assessReading({ ...clean, pm25: 5, pm25B: 1 }, "none").flags).toEqual([]);
    // 20 apart is only 18 %: no flag.
    expect(assessReading({ ...clean, pm25: 120, pm25B: 100 }, "none").flags).toEqual([]);
    const agreeing = assessReading({ ...clean, pm25: 22, pm25B: 18 }, "epa_barkjohn_2021");
    expect(agreeing.pm25Corrected).toBe(assessReading(clean, "epa_barkjohn_2021").pm25Corrected);
  });

  it("flags a reading whose correction needs a humidity it does not have, and stores the formula's label", () => {
    expect(assessReading({ ...clean, humidity: null }, "epa_barkjohn_2022")).toEqual({
      flags: ["no_humidity"],
      pm25Corrected: null,
      correction: "epa_barkjohn_2022@1",
    });
    expect(assessReading({ ...clean, humidity: null }, "none").flags).toEqual([]);
  });
});

describe("neighbour flags", () => {
  it("flags every reading of a run of 3 equal values, not a run of 2", () => {
    const flags = neighbourFlags(series([12, 14, 14, 14, 13, 15, 15, 16]), MINUTE);
    expect(flags.map((own) => own.includes("stuck"))).toEqual([false, true, true, true, false, false, false, false]);
  });

  it("flags a spike four times its neighbours' mean, not a rise of a few ug/m3 in clean air", () => {
    const flags = neighbourFlags(series([10, 11, 90, 10, 12, 2, 9, 3]), MINUTE);
    expect(flags.map((own) => own.includes("spike"))).toEqual([false, false, true, false, false, false, false, false]);
  });

  it("flags a clock that runs back into a span already reported, not a backlog that fills a gap", () => {
    const live = series([10, 11, 12, 13]);
    const rewound = { timestamp: T0 + MINUTE + 20_000, receivedAt: T0 + 10 * MINUTE, pm25: 15 };
    const backlog = { timestamp: T0 - 30 * MINUTE, receivedAt: T0 + 11 * MINUTE, pm25: 16 };
    const flags = neighbourFlags([...live, rewound, backlog], MINUTE);
    expect(flags[4]).toEqual(["clock_backwards"]);
    expect(flags[5]).toEqual([]);
    expect(flags.slice(0, 4)).toEqual([[], [], [], []]);
  });

  it("joins a reading's own flags and its neighbours' in one ordered list, the raw value untouched", () => {
    const readings = series([40, 40, 40]).map((reading) => ({ ...reading, humidity: 97, co2: 600 }));
    const [first] = assessSeries(readings, "epa_barkjohn_2022", MINUTE);
    expect(first?.flags).toEqual(["stuck", "fog"]);
    expect(readings[0]?.pm25).toBe(40);
  });
});

describe("stored flags", () => {
  it("read back in order, ignoring codes this version does not know", () => {
    expect(parseFlags('["fog","stuck","from_the_future"]')).toEqual(["stuck", "fog"]);
    expect(parseFlags(null)).toEqual([]);
  });
});
