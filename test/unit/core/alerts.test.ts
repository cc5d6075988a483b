import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AlertNotice, AlertRule, SensorAlertStates } from "../../../lambdas/core/alerts.js";
import {
  dailySample,
  evaluateAlerts,
  hourlySample,
  noticeSubject,
  noticeText,
  type Sample,
  stepRule,
} from "../../../lambdas/core/alerts.js";
import { EMPTY_MEASURES } from "../../../lambdas/core/rollup.js";
import { HOUR_MS } from "../../../lambdas/core/time.js";
import {
  anAlertNotice,
  COMPLETENESS_LOW,
  PM25_DAILY_WHO,
  PM25_NOWCAST_USG,
  PM25_READING_VERY_HIGH,
} from "../../fixtures/alerts.js";

const T0 = Date.parse("2026-11-28T10:00:00Z");
const MINUTE = 60_000;
const SENSOR = { sensorId: "SENS001", zone: "Urban" } as const;

const PM25_HIGH = PM25_READING_VERY_HIGH;

const pm25At = (minute: number, pm25: number): Sample => ({ at: T0 + minute * MINUTE, values: { pm25 } });
const run = (samples: readonly Sample[], states: SensorAlertStates = {}, rules: readonly AlertRule[] = [PM25_HIGH]) =>
  evaluateAlerts(rules, SENSOR, states, samples);
const statesOf = (notices: readonly { notice: AlertNotice }[]) => notices.map((step) => step.notice.state);

describe("evaluateAlerts", () => {
  it("turns a Harmattan episode of 600 readings above the threshold into one open, reminders and one resolve", () => {
    const episode = Array.from({ length: 600 }, (_, minute) => pm25At(minute, 180 + (minute % 7) * 10));
    const { steps, finalStates } = run([...episode, pm25At(600, 90)]);
    // Reminders every 60 minutes of the 600-minute episode: at 60, 120, ..., 540.
    expect(statesOf(steps)).toEqual(["opened", ...Array(9).fill("reminder"), "resolved"]);
    expect(steps[0]?.notice).toEqual({
      sensorId: "SENS001",
      zone: "Urban",
      ruleId: "pm25_reading_very_high",
      metric: "pm25",
      severity: "critical",
      state: "opened",
      value: 180,
      threshold: 150,
      at: "2026-11-28T10:00:00.000Z",
      averaging: "single reading",
      source: PM25_HIGH.source,
      openedAt: "2026-11-28T10:00:00.000Z",
    });
    expect(steps.at(-1)?.notice).toMatchObject({ state: "resolved", value: 90, openedAt: "2026-11-28T10:00:00.000Z" });
    expect(finalStates[PM25_HIGH.id]).toEqual({ openedAt: null, lastNotifiedAt: T0 + 600 * MINUTE });
  });

  it("does not flap while the value wobbles between threshold - hysteresis and above the threshold", () => {
    const wobble = Array.from({ length: 50 }, (_, minute) => pm25At(minute, minute % 2 === 0 ? 155 : 131));
    expect(statesOf(run(wobble).steps)).toEqual(["opened"]);
  });

  it("opens nothing while the value stays between threshold - hysteresis and the threshold", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 130, max: 150, noNaN: true }), { maxLength: 200 }), (values) => {
        expect(run(values.map((value, minute) => pm25At(minute, value))).steps).toEqual([]);
      }),
    );
  });

  it("keeps notices in order, one alert at a time, reminders at least reminderMinutes apart", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 400, noNaN: true }), { maxLength: 300 }), (values) => {
        const { steps } = run(values.map((value, minute) => pm25At(minute, value)));
        let open = false;
        let lastNotified = Number.NEGATIVE_INFINITY;
        for (const { notice } of steps) {
          const at = Date.parse(notice.at);
          if (notice.state === "opened") {
            expect(open).toBe(false);
            expect(notice.value).toBeGreaterThan(150);
            open = true;
          } else if (notice.state === "reminder") {
            expect(open).toBe(true);
            expect(at - lastNotified).toBeGreaterThanOrEqual(60 * MINUTE);
          } else {
            expect(open).toBe(true);
            expect(notice.value).toBeLessThan(130);
            open = false;
          }
          lastNotified = at;
        }
      }),
    );
  });

  it("evaluates samples in timestamp order whatever order they come in", () => {
    const samples = [pm25At(0, 200), pm25At(1, 100), pm25At(2, 200)];
    expect(statesOf(run([...samples].reverse()).steps)).toEqual(["opened", "resolved", "opened"]);
  });

  it("sends a reminder on the first sample at least reminderMinutes after the last notice", () => {
    const opened = { [PM25_HIGH.id]: { openedAt: T0, lastNotifiedAt: T0 } };
    expect(statesOf(run([pm25At(59, 200)], opened).steps)).toEqual([]);
    const { steps } = run([pm25At(60, 200)], opened);
    expect(statesOf(steps)).toEqual(["reminder"]);
    expect(steps[0]?.statesAfter[PM25_HIGH.id]).toEqual({ openedAt: T0, lastNotifiedAt: T0 + 60 * MINUTE });
  });

  it("ignores samples no newer than the last notice (late or re-covered data)", () => {
    const resolved = { [PM25_HIGH.id]: { openedAt: null, lastNotifiedAt: T0 + 10 * MINUTE } };
    expect(run([pm25At(5, 400), pm25At(10, 400)], resolved).steps).toEqual([]);
    expect(statesOf(run([pm25At(11, 400)], resolved).steps)).toEqual(["opened"]);
  });

  it("gives each notice the states to save once it is delivered", () => {
    const { steps } = run([pm25At(0, 200), pm25At(1, 100)]);
    expect(steps.map((step) => step.statesAfter[PM25_HIGH.id])).toEqual([
      { openedAt: T0, lastNotifiedAt: T0 },
      { openedAt: null, lastNotifiedAt: T0 + MINUTE },
    ]);
  });

  it("mirrors a 'below' rule: a silent hour opens low completeness, 0.6 or more resolves it", () => {
    const hour = (index: number, readings: number) =>
      hourlySample({
        sensorId: "SENS001",
        locationName: "Dakar - Plateau",
        zone: "Urban",
        city: "Dakar",
        hourStart: T0 + index * HOUR_MS,
        nowcastPm25: null,
        readings,
        expectedReadings: 60,
        completeness: readings / 60,
        coverage: readings / 60,
        measures: EMPTY_MEASURES,
        flags: {},
      });
    const { steps } = run([hour(0, 0), hour(1, 33), hour(2, 36), hour(3, 60)], {}, [COMPLETENESS_LOW]);
    // 33/60 = 0.55 sits inside the band (0.5..0.6): no change; 36/60 = 0.6 is not above 0.6.
    expect(steps.map((step) => [step.notice.state, step.notice.value])).toEqual([
      ["opened", 0],
      ["resolved", 1],
    ]);
  });
});

describe("stepRule", () => {
  it("leaves a rule alone when the value is exactly the threshold", () => {
    expect(stepRule(PM25_HIGH, undefined, 150, T0)).toEqual({ state: undefined });
  });

  it("keeps a resolved rule's state, closed", () => {
    const opened = stepRule(PM25_HIGH, undefined, 151, T0).state;
    const resolved = stepRule(PM25_HIGH, opened, 129, T0 + MINUTE).state;
    expect(opened?.openedAt).toBe(T0);
    expect(resolved).toEqual({ openedAt: null, lastNotifiedAt: T0 + MINUTE });
  });
});

describe("notice subject", () => {
  const notice = anAlertNotice({
    sensorId: "SENS004",
    zone: "Commercial",
    ruleId: "co2_reading_high",
    metric: "co2",
    severity: "warning",
    state: "resolved",
    value: 1500,
    threshold: 2000,
    at: "2026-11-28T11:00:00.000Z",
  });

  it("has a one-line subject within SNS's 100 characters", () => {
    expect(noticeSubject(notice)).toBe("[WARNING] RESOLVED SENS004 co2 1500");
    expect(noticeSubject({ ...notice, sensorId: "S".repeat(64) }).length).toBeLessThanOrEqual(100);
  });
});

describe("rules on the official figures", () => {
  const hourRow = (hour: number, nowcastPm25: number | null) => ({
    sensorId: "SENS001",
    locationName: "Dakar - Plateau",
    zone: "Urban" as const,
    city: "Dakar",
    hourStart: T0 + hour * HOUR_MS,
    readings: 60,
    expectedReadings: 60,
    completeness: 1,
    coverage: 1,
    measures: EMPTY_MEASURES,
    flags: {},
    nowcastPm25,
  });

  it("opens when the NowCast's AQI reaches Unhealthy for Sensitive Groups and resolves back in Moderate", () => {
    // NowCast 35.4 is AQI 100 (Moderate), 35.5 is 101 (USG); 30.4 (AQI 91) holds it, and it ends
    // below 90 (29.4 is 89).
    const samples = [35.4, 35.5, 30.4, 29.4].map((nowcast, hour) => hourlySample(hourRow(hour, nowcast)));
    const { steps } = run(samples, {}, [PM25_NOWCAST_USG]);
    expect(steps.map((step) => [step.notice.state, step.notice.value, step.notice.aqiCategory])).toEqual([
      ["opened", 101, "Unhealthy for Sensitive Groups"],
      ["resolved", 89, "Moderate"],
    ]);
    expect(steps[0]?.notice).toMatchObject({
      averaging: "NowCast (US EPA, 12-hour weighted)",
      source: PM25_NOWCAST_USG.source,
    });
  });

  it("leaves an hour without a NowCast out of the NowCast rule", () => {
    expect(hourlySample(hourRow(0, null)).values).not.toHaveProperty("pm25_nowcast_aqi");
  });

  it("sends a daily WHO notice for a valid day above 15, again the next day above, and ends on a day below", () => {
    const DAY = 24 * HOUR_MS;
    const days = [15, 16, 30, 14].map((mean, day) => dailySample(T0 + day * DAY, mean));
    const { steps } = run(days, {}, [PM25_DAILY_WHO]);
    expect(steps.map((step) => [step.notice.state, step.notice.value])).toEqual([
      ["opened", 16],
      ["reminder", 30],
      ["resolved", 14],
    ]);
    expect(steps[0]?.notice.averaging).toBe("24-hour mean, local day");
  });

  it("writes which figure, which averaging period and which standard, with what the category means, in English or French", () => {
    const notice = anAlertNotice({
      ruleId: PM25_NOWCAST_USG.id,
      metric: "pm25_nowcast_aqi",
      severity: "warning",
      value: 113,
      threshold: 100,
      averaging: "NowCast (US EPA, 12-hour weighted)",
      source: PM25_NOWCAST_USG.source,
      aqiCategory: "Unhealthy for Sensitive Groups",
    });
    const english = noticeText(notice);
    expect(english).toContain("pm25_nowcast_aqi = 113 (NowCast (US EPA, 12-hour weighted))");
    expect(english).toContain("Category: Unhealthy for Sensitive Groups. Members of sensitive groups");
    expect(english).toContain(`Source: ${PM25_NOWCAST_USG.source}.`);
    expect(noticeSubject(notice)).toBe("[WARNING] ALERT SENS001 pm25_nowcast_aqi 113 Unhealthy for Sensitive Groups");
    const french = noticeText(notice, "fr");
    expect(french).toContain("a franchi le seuil 100 de la règle pm25_nowcast_usg");
    expect(french).toContain("Catégorie : Mauvais pour les groupes sensibles.");
    expect(noticeSubject({ ...notice, state: "resolved" }, "fr")).toMatch(/^\[WARNING\] TERMINÉE SENS001/);
  });
});
