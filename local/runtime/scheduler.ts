import { HOUR_MS, MINUTE_MS } from "../../lambdas/core/time.js";

/** Epoch ms of the next time the clock shows `minute` past the hour, strictly after `now`. */
export function nextAtMinute(now: number, minute: number): number {
  const thisHour = Math.floor(now / HOUR_MS) * HOUR_MS + minute * MINUTE_MS;
  return thisHour > now ? thisHour : thisHour + HOUR_MS;
}

/**
 * Runs `job` every hour at `minute` past, like the cloud's EventBridge schedules (hourly roll-up
 * at :05, zone roll-up at :10). A run that throws is reported and the schedule goes on.
 */
export function everyHourAt(
  minute: number,
  job: () => Promise<unknown>,
  onError: (error: unknown) => void,
  clock: () => number = Date.now,
): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      job().catch(onError).finally(arm);
    }, nextAtMinute(clock(), minute) - clock());
    timer.unref();
  };
  arm();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
