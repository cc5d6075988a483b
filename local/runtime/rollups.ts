import type { HourRange, ZoneSummary } from "../../lambdas/core/aggregates.js";
import type { AlertRule } from "../../lambdas/core/alerts.js";
import { ROLLUP_SCHEDULES } from "../../lambdas/core/schedules.js";
import type { SensorRegistry } from "../../lambdas/core/sensor.js";
import { DAY_MS, HOUR_MS, hourStartOf } from "../../lambdas/core/time.js";
import { DAILY_AGGREGATES_TOPIC, HOURLY_AGGREGATES_TOPIC, ZONE_AGGREGATES_TOPIC } from "../../lambdas/core/topics.js";
import { type AggregatePublisher, type AlertSink, type AlertStateStore, systemClock } from "../../lambdas/ports.js";
import { makeHourlyRollup } from "../../lambdas/use-cases/hourly-rollup.js";
import {
  backfillChunks,
  lateDataRanges,
  mergedRanges,
  rangeEvent,
  scheduledRangeStart,
} from "../../lambdas/use-cases/rollup-range.js";
import { makeZoneRollup } from "../../lambdas/use-cases/zone-rollup.js";
import type { Db } from "../sqlite/database.js";
import { makeSqliteRollupStore } from "../sqlite/rollup-store.js";
import type { LocalObservability } from "./local-observability.js";
import { everyHourAt } from "./scheduler.js";

export interface LocalRollupsDeps {
  readonly db: Db;
  readonly registry: SensorRegistry;
  readonly alertRules: readonly AlertRule[];
  /** The stage's time zone, whose local days the daily rules judge. */
  readonly timeZone: string;
  readonly alertStates: AlertStateStore;
  readonly alertSink: AlertSink;
  readonly publish: (topic: string, payload: string) => Promise<void>;
  readonly observability: LocalObservability;
  readonly print: (line: string) => void;
  /** Told of each scheduled run that failed (it is printed too). */
  readonly onFailure?: () => void;
}

export interface LocalRollups {
  /** The last day at once (from its first complete hour), so that a new user sees figures now. */
  runLastDay(): Promise<void>;
  /**
   * Runs both roll-ups every hour, at the cloud schedules' minutes, each first rolling up again
   * the hours that late readings changed.
   */
  schedule(): void;
  /** The hourly and zone roll-ups now, as the schedule runs them (late hours first). */
  runScheduled(): Promise<void>;
  /** Both roll-ups over [from, to), a week at a time, hourly then zones; `progress` after each week. */
  runRange(range: HourRange, progress: (done: HourRange, rows: number) => void): Promise<void>;
  /** Stops the schedules and waits for the runs in progress. */
  stop(): Promise<void>;
}

/**
 * One line per zone roll-up: the hour's mean with the seed's evaluation of it, and the AQI of the
 * NowCast, each named, so that the seed's scale is never read as the AQI.
 */
const describeRanges = (ranges: readonly HourRange[]): string =>
  ranges.map((range) => `${isoMinute(range.from)} to ${isoMinute(range.to)}`).join(", ");
const isoMinute = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 16).replace("T", " ");

export function describeRanking(summary: ZoneSummary): string {
  const zones = summary.ranking.map((zone) => {
    if (zone.pm25Mean === null) return `${zone.zone}: no readings`;
    const aqi = zone.aqi === null ? "NowCast AQI -" : `NowCast AQI ${zone.aqi} ${zone.aqiCategory}`;
    return `${zone.rank}. ${zone.zone} 1-h mean ${zone.pm25Mean.toFixed(1)} ug/m3 (seed: ${zone.seedEvaluation}), ${aqi}`;
  });
  return `zone ranking, hour from ${summary.hour.slice(0, 16).replace("T", " ")} UTC: ${zones.join(" | ")}`;
}

/** The cloud's roll-up use cases on the SQLite store, run in-process on the cloud's schedules. */
export function makeLocalRollups(deps: LocalRollupsDeps): LocalRollups {
  const store = makeSqliteRollupStore(deps.db, deps.registry);
  const publisher: AggregatePublisher = {
    publishHourly: (summary) => deps.publish(HOURLY_AGGREGATES_TOPIC, JSON.stringify(summary)),
    publishZones: (summary) => deps.publish(ZONE_AGGREGATES_TOPIC, JSON.stringify(summary)),
    publishDaily: (summary) => deps.publish(DAILY_AGGREGATES_TOPIC, JSON.stringify(summary)),
  };
  const hourlyRollup = makeHourlyRollup({
    registry: deps.registry,
    bins: store,
    writer: store,
    hourly: store,
    publisher,
    alerting: { rules: deps.alertRules, states: deps.alertStates, sink: deps.alertSink },
    clock: systemClock,
    timeZone: deps.timeZone,
    ...deps.observability,
  });
  const zoneRollup = makeZoneRollup({
    hourly: store,
    writer: store,
    publisher,
    clock: systemClock,
    ...deps.observability,
  });

  const running = new Set<Promise<unknown>>();
  const track = <T>(job: Promise<T>): Promise<T> => {
    running.add(job);
    return job.finally(() => running.delete(job));
  };
  const runHourly = (event: unknown) => track(hourlyRollup(event));
  const runZones = async (event: unknown) => {
    const result = await track(zoneRollup(event));
    if (result.latest !== null) deps.print(describeRanking(result.latest));
  };
  // Late data: hours that received readings after they were rolled up are rolled up again, with
  // the hours whose NowCast weighs them, then their zones, before the scheduled hours.
  const runHourlyWithLateData = async () => {
    const late = lateDataRanges(store.hoursReceivedSinceLastRollup(), Date.now());
    for (const range of late) await runHourly(rangeEvent(range));
    if (late.length > 0) deps.print(`late readings: rolled up again ${describeRanges(late)}`);
    await runHourly({});
  };
  const runZonesWithLateData = async () => {
    const scheduledFrom = scheduledRangeStart(Date.now());
    const behind = store
      .hoursRolledUpSinceLastZoneRollup()
      .filter((hour) => hour < scheduledFrom)
      .map((hour) => ({ from: hour, to: hour + HOUR_MS }));
    for (const range of mergedRanges(behind).flatMap(backfillChunks)) await track(zoneRollup(rangeEvent(range)));
    await runZones({});
  };
  const reportError = (what: string) => (error: unknown) => {
    deps.onFailure?.();
    deps.print(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  };
  let schedules: { stop(): void }[] = [];

  return {
    async runLastDay() {
      // From the day's first complete hour: the backfill's partial first hour would read as sensors gone quiet.
      const currentHour = hourStartOf(Date.now());
      const lastDay = {
        from: new Date(currentHour - DAY_MS + HOUR_MS).toISOString(),
        to: new Date(currentHour).toISOString(),
      };
      await runHourly(lastDay);
      await runZones(lastDay);
    },
    schedule() {
      schedules = [
        everyHourAt(ROLLUP_SCHEDULES.hourlyRollup.minute, runHourlyWithLateData, reportError("hourly roll-up")),
        everyHourAt(ROLLUP_SCHEDULES.zoneRollup.minute, runZonesWithLateData, reportError("zone roll-up")),
      ];
    },
    async runRange(range, progress) {
      for (const chunk of backfillChunks(range)) {
        const hourly = await runHourly(rangeEvent(chunk));
        const zones = await track(zoneRollup(rangeEvent(chunk)));
        progress(chunk, hourly.rowsWritten + zones.rowsWritten);
      }
    },
    async runScheduled() {
      await runHourlyWithLateData();
      await runZonesWithLateData();
    },
    async stop() {
      for (const schedule of schedules) schedule.stop();
      await Promise.allSettled([...running]);
    },
  };
}
