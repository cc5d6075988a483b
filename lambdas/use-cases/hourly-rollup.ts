import { METRIC } from "../bindings/metrics.js";
import type { DailySummary, HourlyAggregate, HourRange } from "../core/aggregates.js";
import { dailySample, hourlySample, type Sample } from "../core/alerts.js";
import { DEFAULT_TIME_ZONE, dailySummaries, daysEndingIn, localDayOf, localDayStart } from "../core/daily.js";
import { hourlyAggregates, hourlySummaries, hoursOf, isoHour, nowcastWindowOf } from "../core/rollup.js";
import type { SensorRegistry } from "../core/sensor.js";
import {
  type AggregatePublisher,
  type Clock,
  type HandlerLogger,
  type HandlerMetrics,
  type HourlyAggregateSource,
  type HourlyAggregateWriter,
  type HourlyBinSource,
  type LateHoursSource,
  MetricUnit,
  type ZoneRollupTrigger,
} from "../ports.js";
import { type AlertingDeps, type AlertOutcome, evaluateAlertsBySensor, samplesBySensor } from "./evaluate-alerts.js";
import { isScheduledEvent, lateDataRanges, rangeEvent, rollupRange } from "./rollup-range.js";

/** The sensors' rows of the days a run completes: those rolled up before, then the run's own. */
function rowsOfCompletedDays(
  before: readonly HourlyAggregate[],
  rows: readonly HourlyAggregate[],
  range: HourRange,
  days: ReadonlySet<string>,
  timeZone: string,
): HourlyAggregate[] {
  return [...before.filter((row) => row.hourStart < range.from), ...rows].filter((row) =>
    days.has(localDayOf(row.hourStart, timeZone)),
  );
}

/** Each sensor's valid days as samples for the daily rules, observed at the day's first hour. */
function dailySamples(summaries: readonly DailySummary[], timeZone: string): Map<string, Sample[]> {
  const bySensor = new Map<string, Sample[]>();
  for (const summary of summaries) {
    for (const sensor of summary.sensors) {
      if (!sensor.valid || sensor.pm25Mean === null) continue;
      const samples = bySensor.get(sensor.sensorId) ?? [];
      samples.push(dailySample(localDayStart(summary.day, timeZone), sensor.pm25Mean));
      bySensor.set(sensor.sensorId, samples);
    }
  }
  return bySensor;
}

export interface HourlyRollupDeps {
  readonly registry: SensorRegistry;
  readonly bins: HourlyBinSource;
  readonly writer: HourlyAggregateWriter;
  /** The rows already rolled up, for the NowCast's 11 hours before the range. */
  readonly hourly: HourlyAggregateSource;
  /**
   * Where ingest notes late hours, and how their zones are rolled up again after them: a
   * scheduled run takes them first. Locally the store finds late hours itself.
   * @default none
   */
  readonly lateData?: { readonly source: LateHoursSource; readonly zones: ZoneRollupTrigger };
  readonly publisher: AggregatePublisher;
  /** Hourly and daily alert rules and where their state and notices go; reading rules are ignored. */
  readonly alerting: Omit<AlertingDeps, "logger" | "metrics">;
  /**
   * The stage's time zone, whose local days the daily rules judge.
   * @default DEFAULT_TIME_ZONE, Africa/Dakar
   */
  readonly timeZone?: string;
  readonly clock: Clock;
  readonly logger: HandlerLogger;
  readonly metrics: HandlerMetrics;
}

export interface HourlyRollupResult {
  /** ISO 8601 hour starts, oldest first. */
  readonly hours: readonly string[];
  readonly rowsWritten: number;
  /** The run time: the version of every row written. */
  readonly version: number;
  readonly alerts: AlertOutcome;
  /** The ranges of late hours rolled up again before the scheduled ones (and their zones started). */
  readonly lateRanges: readonly { readonly from: string; readonly to: string }[];
}

/**
 * The hourly roll-up: bins the readings of the asked hours (by default the last complete hour and
 * the two before, for late data), computes each hour's NowCast with the rows already rolled up
 * for the 11 hours before, writes one row per registry sensor and hour with the run time as
 * version (a re-run overwrites), publishes a summary per hour and runs the hourly alert rules.
 * Rows are written first: a failing summary or alert never undoes them.
 */
export function makeHourlyRollup(deps: HourlyRollupDeps): (event: unknown) => Promise<HourlyRollupResult> {
  const alerting: AlertingDeps = {
    ...deps.alerting,
    rules: deps.alerting.rules.filter((rule) => rule.scope === "hourly" || rule.scope === "daily"),
    logger: deps.logger,
    metrics: deps.metrics,
  };
  const timeZone = deps.timeZone ?? DEFAULT_TIME_ZONE;

  async function rollUp(range: HourRange, version: number): Promise<{ rows: HourlyAggregate[]; alerts: AlertOutcome }> {
    // The hours rolled up before the range: the NowCast's 11 and, when the range completes a
    // local day, back to the start of the day it begins in, for that day's mean.
    const endingDays = daysEndingIn(hoursOf(range), timeZone);
    const dayStart = localDayStart(localDayOf(range.from, timeZone), timeZone);
    const beforeFrom = Math.min(nowcastWindowOf(range).from, endingDays.size === 0 ? range.from : dayStart);
    const [bins, before] = await Promise.all([
      deps.bins.bins(range),
      deps.hourly.hourly({ from: beforeFrom, to: range.from }),
    ]);
    const rows = hourlyAggregates(deps.registry, bins, range, before);
    await deps.writer.writeHourly(rows, version);

    for (const summary of hourlySummaries(rows, version)) {
      try {
        await deps.publisher.publishHourly(summary);
      } catch (error) {
        deps.logger.warn("hourly summary not published", { hour: summary.hour, error });
      }
    }
    const daily =
      endingDays.size === 0
        ? []
        : dailySummaries(rowsOfCompletedDays(before, rows, range, endingDays, timeZone), endingDays, timeZone, version);
    for (const summary of daily) {
      try {
        await deps.publisher.publishDaily(summary);
      } catch (error) {
        deps.logger.warn("daily summary not published", { day: summary.day, error });
      }
    }
    const days = dailySamples(daily, timeZone);
    const samples = new Map(
      [...samplesBySensor(rows, hourlySample)].map(([sensorId, { zone, samples }]) => [
        sensorId,
        { zone, samples: [...samples, ...(days.get(sensorId) ?? [])] },
      ]),
    );
    return { rows, alerts: await evaluateAlertsBySensor(alerting, samples) };
  }

  /**
   * The hours ingest noted as late, rolled up again with the hours whose NowCast weighs them, and
   * their zones started; taken off the queue only once all of that is done, so that a failure
   * leaves them for the next run.
   */
  async function rollUpLateHours(version: number): Promise<readonly HourRange[]> {
    if (deps.lateData === undefined) return [];
    const { source, zones } = deps.lateData;
    const taken = await source.take();
    const ranges = lateDataRanges(taken.hourStarts, version);
    for (const range of ranges) {
      await rollUp(range, version);
      await zones.rollUp(range);
    }
    await taken.done();
    if (ranges.length > 0) deps.logger.info("late hours rolled up again", { ranges: ranges.map(rangeEvent) });
    return ranges;
  }

  return async (event) => {
    const version = deps.clock.now();
    const range = rollupRange(event, version);
    const lateRanges = isScheduledEvent(event) ? await rollUpLateHours(version) : [];
    const { rows, alerts } = await rollUp(range, version);

    // Gauges describe the newest hour only: a backfill must not report history as the present.
    const hours = [...new Set(rows.map((row) => row.hourStart))];
    const newestHour = Math.max(...hours);
    const activeSensors = rows.filter((row) => row.hourStart === newestHour && row.readings > 0).length;
    deps.metrics.addMetric(METRIC.activeSensors, MetricUnit.Count, activeSensors);
    deps.metrics.addMetric(METRIC.hourlyRollupRuns, MetricUnit.Count, 1);
    const result = {
      hours: hours.map(isoHour),
      rowsWritten: rows.length,
      version,
      alerts,
      lateRanges: lateRanges.map(rangeEvent),
    };
    deps.logger.info("hourly roll-up done", { ...result });
    return result;
  };
}
