import { describe, expect, it } from "vitest";
import {
  annualMean,
  dailyMeans,
  type HourlyPm25,
  localDayOf,
  WHO_24_HOUR,
  WHO_ANNUAL,
  whoExceedances,
  whoLevelMet,
} from "../../../lambdas/core/daily.js";
import { DAY_MS, HOUR_MS } from "../../../lambdas/core/time.js";

const DAY = Date.parse("2026-11-28T00:00:00Z");

/** `hours` hours of the day starting at midnight UTC, each with a mean of `mean`. */
const hoursOf = (start: number, hours: number, mean: number | ((hour: number) => number)): HourlyPm25[] =>
  Array.from({ length: hours }, (_, hour) => ({
    hourStart: start + hour * HOUR_MS,
    count: 60,
    sum: 60 * (typeof mean === "number" ? mean : mean(hour)),
  }));

describe("dailyMeans", () => {
  it("is valid with 18 of 24 hours and not with 17", () => {
    expect(dailyMeans(hoursOf(DAY, 18, 20), "Africa/Dakar")[0]).toMatchObject({
      day: "2026-11-28",
      hours: 18,
      hoursInDay: 24,
      valid: true,
      mean: 20,
      aqi: { aqi: 71, category: "Moderate" },
    });
    expect(dailyMeans(hoursOf(DAY, 17, 20), "Africa/Dakar")[0]).toMatchObject({ hours: 17, valid: false, aqi: null });
  });

  it("is the mean of the hourly means, not of the readings", () => {
    const hourly = [
      { hourStart: DAY, count: 60, sum: 60 * 10 },
      { hourStart: DAY + HOUR_MS, count: 1, sum: 40 },
    ];
    expect(dailyMeans(hourly, "Africa/Dakar")[0]?.mean).toBe(25);
  });

  it("cuts days at local midnight of the stage's time zone", () => {
    // 26 hours from 22:00 UTC on the 27th: in Dakar (UTC+0) that is three days; in Paris (UTC+1 in
    // November) the 27th ends at 23:00 UTC.
    const hourly = hoursOf(DAY - 2 * HOUR_MS, 26, 10);
    expect(dailyMeans(hourly, "Africa/Dakar").map((d) => [d.day, d.hours])).toEqual([
      ["2026-11-27", 2],
      ["2026-11-28", 24],
    ]);
    expect(dailyMeans(hourly, "Europe/Paris").map((d) => [d.day, d.hours])).toEqual([
      ["2026-11-27", 1],
      ["2026-11-28", 24],
      ["2026-11-29", 1],
    ]);
    expect(localDayOf(DAY - 1, "Africa/Dakar")).toBe("2026-11-27");
  });

  it("knows a day of 23 hours where clocks go forward", () => {
    const start = Date.parse("2026-03-28T23:00:00Z"); // midnight in Paris on the 29th, the day of the change
    const [day] = dailyMeans(hoursOf(start, 18, 10), "Europe/Paris");
    expect(day).toMatchObject({ day: "2026-03-29", hoursInDay: 23, valid: true });
  });

  it("names an unknown time zone in one line", () => {
    expect(() => localDayOf(DAY, "Mars/Olympus")).toThrow("unknown time zone 'Mars/Olympus'");
  });
});

describe("WHO 2021 guideline levels", () => {
  it("has the 2021 PM2.5 levels", () => {
    expect(WHO_24_HOUR).toEqual({ "IT-1": 75, "IT-2": 50, "IT-3": 37.5, "IT-4": 25, AQG: 15 });
    expect(WHO_ANNUAL).toEqual({ "IT-1": 35, "IT-2": 25, "IT-3": 15, "IT-4": 10, AQG: 5 });
  });

  it.each([
    [15, "AQG"],
    [15.1, "IT-4"],
    [37.5, "IT-3"],
    [37.6, "IT-2"],
    [75, "IT-1"],
    [75.1, null],
  ] as const)("a daily mean of %d meets %s", (mean, level) => {
    expect(whoLevelMet(mean, WHO_24_HOUR)).toBe(level);
  });

  it("counts a known month's days above each 24-hour level", () => {
    // November 2026 in Dakar: 30 days. Daily means: 9 days at 12, 8 at 20, 5 at 30, 4 at 40,
    // 2 at 60, 1 at 80; and the 30th has only 10 hours (not a valid day) at 200.
    const means = [...Array(9).fill(12), ...Array(8).fill(20), ...Array(5).fill(30), ...Array(4).fill(40), 60, 60, 80];
    const start = Date.parse("2026-11-01T00:00:00Z");
    const hourly = means.flatMap((mean, day) => hoursOf(start + day * DAY_MS, 24, mean));
    hourly.push(...hoursOf(start + 29 * DAY_MS, 10, 200));
    const days = dailyMeans(hourly, "Africa/Dakar");
    expect(days).toHaveLength(30);
    expect(whoExceedances(days)).toEqual({
      validDays: 29,
      daysAbove: { AQG: 20, "IT-4": 12, "IT-3": 7, "IT-2": 3, "IT-1": 1 },
    });
  });

  it("keeps a running annual mean of valid days with its coverage", () => {
    const start = Date.parse("2026-01-01T00:00:00Z");
    // 300 valid days at 8, then 60 days with only 12 hours (invalid) at 100.
    const hourly = [
      ...Array.from({ length: 300 }, (_, day) => hoursOf(start + day * DAY_MS, 24, 8)).flat(),
      ...Array.from({ length: 60 }, (_, day) => hoursOf(start + (300 + day) * DAY_MS, 12, 100)).flat(),
    ];
    const annual = annualMean(dailyMeans(hourly, "Africa/Dakar"), "2026-12-26");
    expect(annual).toEqual({ mean: 8, validDays: 300, coverage: 300 / 365, level: "IT-4" });
    expect(annualMean([], "2026-12-26")).toEqual({ mean: null, validDays: 0, coverage: 0, level: null });
  });
});
