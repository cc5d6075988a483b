/** Durations in epoch milliseconds: the one set every home of the pipeline computes with. */
export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Epoch ms of the start of the hour that holds `epochMs`. */
export function hourStartOf(epochMs: number): number {
  return Math.floor(epochMs / HOUR_MS) * HOUR_MS;
}

/** The UTC calendar date of an instant, as ISO 8601 (`YYYY-MM-DD`): what the registry's dates compare with. */
export const isoDateOf = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 10);
