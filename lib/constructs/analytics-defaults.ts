import { Duration } from "aws-cdk-lib";
import { type HourlySchedule, ROLLUP_SCHEDULES } from "../../lambdas/core/schedules.js";

/** EventBridge Scheduler's form of an hourly schedule, in UTC. */
export const hourlyCron = ({ minute }: HourlySchedule): string => `cron(${minute} * * * ? *)`;

/** Defaults of `AnalyticsProps`; each is documented on its prop. */
export const ANALYTICS_DEFAULTS = {
  /** The local scheduler runs the same schedules (lambdas/core/schedules.ts). */
  hourlyRollupCron: hourlyCron(ROLLUP_SCHEDULES.hourlyRollup),
  zoneRollupCron: hourlyCron(ROLLUP_SCHEDULES.zoneRollup),
  retryAttempts: 3,
  asyncRetryAttempts: 2,
  maxEventAge: Duration.hours(1),
  timeout: Duration.minutes(2),
  memorySizeMb: 512,
} as const;
