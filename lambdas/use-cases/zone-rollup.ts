import { METRIC, ZONE_DIMENSION } from "../bindings/metrics.js";
import type { ZoneSummary } from "../core/aggregates.js";
import { hoursOf, isoHour, nowcastWindowOf, zoneAggregates, zoneSummaries } from "../core/rollup.js";
import {
  type AggregatePublisher,
  type Clock,
  type HandlerLogger,
  type HandlerMetrics,
  type HourlyAggregateSource,
  MetricUnit,
  type ZoneAggregateWriter,
} from "../ports.js";
import { rollupRange } from "./rollup-range.js";

export interface ZoneRollupDeps {
  readonly hourly: HourlyAggregateSource;
  readonly writer: ZoneAggregateWriter;
  readonly publisher: AggregatePublisher;
  readonly clock: Clock;
  readonly logger: HandlerLogger;
  readonly metrics: HandlerMetrics;
}

export interface ZoneRollupResult {
  /** ISO 8601 hour starts that had hourly rows, oldest first. */
  readonly hours: readonly string[];
  readonly rowsWritten: number;
  readonly version: number;
  /** The newest hour's ranking, best zone first; null when no hour had rows. */
  readonly latest: ZoneSummary | null;
}

/**
 * The zone roll-up: reads the sensors' hourly rows of the asked hours (same events as the hourly
 * roll-up, which runs a few minutes earlier), combines them per zone weighted by counts, ranks
 * the zones, gives the seed's evaluation of the hour's mean and the AQI of the zone's NowCast,
 * writes the rows with the run time as version and publishes each hour's ranking.
 */
export function makeZoneRollup(deps: ZoneRollupDeps): (event: unknown) => Promise<ZoneRollupResult> {
  return async (event) => {
    const version = deps.clock.now();
    const range = rollupRange(event, version);
    // The 11 hours before the range too: each zone's NowCast weighs its 12 latest hourly means.
    const hourlyRows = await deps.hourly.hourly(nowcastWindowOf(range));
    const rows = zoneAggregates(hourlyRows).filter((row) => row.hourStart >= range.from);
    const covered = new Set(rows.map((row) => row.hourStart));
    const missing = hoursOf(range).filter((hour) => !covered.has(hour));
    if (missing.length > 0) {
      deps.logger.warn("hours without hourly rows: run the hourly roll-up for them first", {
        hours: missing.map(isoHour),
      });
    }
    if (rows.length > 0) await deps.writer.writeZones(rows, version);

    const summaries = zoneSummaries(rows, version);
    for (const summary of summaries) {
      try {
        await deps.publisher.publishZones(summary);
      } catch (error) {
        deps.logger.warn("zone summary not published", { hour: summary.hour, error });
      }
    }

    // Gauges describe the newest hour only: a backfill must not report history as the present.
    const latest = summaries.at(-1) ?? null;
    for (const zone of latest?.ranking ?? []) {
      const zoneMetric = deps.metrics.singleMetric();
      zoneMetric.addDimension(ZONE_DIMENSION, zone.zone);
      zoneMetric.addMetric(METRIC.zoneCompleteness, MetricUnit.Percent, zone.completeness * 100);
    }
    deps.metrics.addMetric(METRIC.zoneRollupRuns, MetricUnit.Count, 1);
    const result = {
      hours: [...covered].sort((a, b) => a - b).map(isoHour),
      rowsWritten: rows.length,
      version,
      latest,
    };
    deps.logger.info("zone roll-up done", { ...result });
    return result;
  };
}
