import type { HourRange } from "../core/aggregates.js";
import { NOWCAST_HOURS } from "../core/nowcast.js";
import { HOUR_MS, hourStartOf } from "../core/time.js";
import * as z from "../core/zod.js";

/** Hours before the last complete one that every scheduled run covers again, for late data. */
export const LATE_DATA_HOURS = 2;
/** The longest backfill one invocation takes (a week); longer ones are split by the caller. */
export const MAX_BACKFILL_HOURS = 168;

const hourBoundary = z
  .pipe(
    z.iso.datetime({ offset: true }),
    z.transform((text: string) => Date.parse(text)),
  )
  .check(z.refine((epochMs) => epochMs % HOUR_MS === 0, "must be on an hour boundary, e.g. 2026-11-28T10:00:00Z"));

const hourEventSchema = z.pipe(
  z.object({ hour: hourBoundary, from: z.optional(z.never()), to: z.optional(z.never()) }),
  z.transform(({ hour }) => ({ from: hour, to: hour + HOUR_MS })),
);

const backfillEventSchema = z.pipe(
  z.object({ from: hourBoundary, to: hourBoundary, hour: z.optional(z.never()) }).check(
    z.refine(({ from, to }) => to > from, "`to` must be after `from`"),
    z.refine(
      ({ from, to }) => to - from <= MAX_BACKFILL_HOURS * HOUR_MS,
      `a backfill covers at most ${MAX_BACKFILL_HOURS} hours`,
    ),
  ),
  z.transform(({ from, to }) => ({ from, to })),
);

const EXPECTED = 'expected {}, { "hour": ISO } or { "from": ISO, "to": ISO }, times on hour boundaries';

export class InvalidRollupEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidRollupEventError";
  }
}

/** Whether an event is the schedule's (`{}`, or a scheduler's metadata), not an explicit hour or range. */
export function isScheduledEvent(event: unknown): boolean {
  const input = event ?? {};
  return (
    typeof input === "object" && !Array.isArray(input) && !("hour" in input) && !("from" in input) && !("to" in input)
  );
}

/**
 * The hours a roll-up event asks for; throws InvalidRollupEventError saying what is wrong.
 * `{}` (EventBridge Scheduler): the last complete hour and the LATE_DATA_HOURS before it.
 * `{ "hour": "2026-11-28T10:00:00Z" }`: that hour again.
 * `{ "from": "...", "to": "..." }`: a backfill of [from, to).
 * Other fields (a scheduler's metadata) are ignored.
 */
export function rollupRange(event: unknown, now: number): HourRange {
  const input = event ?? {};
  if (typeof input !== "object" || Array.isArray(input)) throw new InvalidRollupEventError(EXPECTED);
  const currentHour = hourStartOf(now);
  if (!("hour" in input) && !("from" in input) && !("to" in input)) {
    return { from: currentHour - (LATE_DATA_HOURS + 1) * HOUR_MS, to: currentHour };
  }
  const parsed = ("hour" in input ? hourEventSchema : backfillEventSchema).safeParse(input, z.inEnglish);
  if (!parsed.success) throw new InvalidRollupEventError(`${EXPECTED}:\n${z.prettifyError(parsed.error)}`);
  if (parsed.data.to > currentHour) {
    throw new InvalidRollupEventError(
      `only complete hours can be rolled up: ${new Date(parsed.data.to).toISOString()} is after the current hour ${new Date(currentHour).toISOString()}`,
    );
  }
  return parsed.data;
}

/** The first hour a scheduled run at `now` covers: hours before it are late data. */
export const scheduledRangeStart = (now: number): number => hourStartOf(now) - (LATE_DATA_HOURS + 1) * HOUR_MS;

/** [from, to) in ranges of at most MAX_BACKFILL_HOURS, oldest first: what one invocation takes. */
export function backfillChunks(range: HourRange): HourRange[] {
  const chunks: HourRange[] = [];
  for (let from = hourStartOf(range.from); from < range.to; from += MAX_BACKFILL_HOURS * HOUR_MS) {
    chunks.push({ from, to: Math.min(range.to, from + MAX_BACKFILL_HOURS * HOUR_MS) });
  }
  return chunks;
}

/**
 * The hours to roll up again because readings arrived for them after their roll-up (`lateHours`,
 * hour starts), beyond what the scheduled run covers anyway: each late hour and the 11 after it,
 * whose NowCast weighs it, up to the scheduled run's first hour. Merged and split into
 * invocations, oldest first.
 */
export function lateDataRanges(lateHours: readonly number[], now: number): HourRange[] {
  const scheduledFrom = scheduledRangeStart(now);
  return mergedRanges(
    lateHours
      .map(hourStartOf)
      .filter((hour) => hour < scheduledFrom)
      .map((hour) => ({ from: hour, to: Math.min(scheduledFrom, hour + NOWCAST_HOURS * HOUR_MS) })),
  ).flatMap(backfillChunks);
}

/** Hour ranges in time order with the overlapping and adjacent ones joined. */
export function mergedRanges(ranges: readonly HourRange[]): HourRange[] {
  const merged: HourRange[] = [];
  for (const range of [...ranges].sort((a, b) => a.from - b.from)) {
    const last = merged.at(-1);
    if (last !== undefined && range.from <= last.to) {
      merged[merged.length - 1] = { from: last.from, to: Math.max(last.to, range.to) };
    } else merged.push(range);
  }
  return merged;
}

/** An invocation's event for a range of hours. */
export const rangeEvent = (range: HourRange): { from: string; to: string } => ({
  from: new Date(range.from).toISOString(),
  to: new Date(range.to).toISOString(),
});
