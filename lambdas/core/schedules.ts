/**
 * When the roll-ups run: every hour, a few minutes past, in UTC. One definition feeds the cloud's
 * EventBridge schedules (lib/constructs/analytics.ts) and the local scheduler (local/runtime).
 */
export interface HourlySchedule {
  /** Minutes past each hour. */
  readonly minute: number;
}

export const ROLLUP_SCHEDULES = {
  /** A few minutes past the hour, so that the last readings of the hour have arrived. */
  hourlyRollup: { minute: 5 },
  /** After the hourly roll-up, whose output it reads. */
  zoneRollup: { minute: 10 },
} as const satisfies Record<string, HourlySchedule>;
