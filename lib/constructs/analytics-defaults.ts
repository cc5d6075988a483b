import { Duration } from "aws-cdk-lib";

/** Defaults of `AnalyticsProps`; each is documented on its prop. */
export const ANALYTICS_DEFAULTS = {
  /** A few minutes past the hour, so that the last readings of the hour have arrived. */
  hourlyRollupCron: "cron(5 * * * ? *)",
  /** After the hourly roll-up, whose output it reads. */
  zoneRollupCron: "cron(10 * * * ? *)",
  retryAttempts: 3,
  maxEventAge: Duration.hours(1),
  timeout: Duration.minutes(2),
  memorySizeMb: 512,
} as const;
