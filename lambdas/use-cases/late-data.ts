/**
 * Late data in the cloud: ingest notes the hours it stored readings for after their scheduled
 * roll-up had passed them, and the next scheduled hourly roll-up rolls those hours up again
 * (lambdas/use-cases/hourly-rollup.ts). Locally the store itself finds them by receive time.
 */
import type { EnrichedReading } from "../core/reading.js";
import { hourStartOf } from "../core/time.js";
import type { Clock, HandlerLogger, LateHoursSink, StoredReadingsListener } from "../ports.js";
import { scheduledRangeStart } from "./rollup-range.js";

/**
 * A listener of stored readings that notes the hours the scheduled roll-up no longer covers. A
 * failure is logged, never thrown: the readings are stored, and `kaikai rollup --since` can
 * still roll their hours up.
 */
export function makeLateHoursNoter(deps: {
  readonly sink: LateHoursSink;
  readonly clock: Clock;
  readonly logger: HandlerLogger;
}): StoredReadingsListener {
  return {
    async onStored(readings: readonly EnrichedReading[]) {
      const scheduledFrom = scheduledRangeStart(deps.clock.now());
      const late = [...new Set(readings.map((reading) => hourStartOf(reading.timestamp)))].filter(
        (hour) => hour < scheduledFrom,
      );
      if (late.length === 0) return;
      try {
        await deps.sink.note(late.sort((a, b) => a - b));
      } catch (error) {
        deps.logger.error("late hours not noted: run kaikai rollup --since for them", {
          hours: late.map((hour) => new Date(hour).toISOString()),
          error,
        });
      }
    },
  };
}

/** Several listeners told in turn, each on its own (one that fails does not stop the next). */
export function allListeners(listeners: readonly StoredReadingsListener[]): StoredReadingsListener {
  return {
    async onStored(readings) {
      const results = await Promise.allSettled(listeners.map((listener) => listener.onStored(readings)));
      const failure = results.find((result) => result.status === "rejected");
      if (failure !== undefined) throw failure.reason;
    },
  };
}
