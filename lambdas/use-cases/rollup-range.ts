import type { HourRange } from "../core/aggregates.js";
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
