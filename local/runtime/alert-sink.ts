import pRetry from "p-retry";
import { type AlertNotice, noticeSubject } from "../../lambdas/core/alerts.js";
import type { Language } from "../../lambdas/core/aqi.js";
import { HOUR_MS } from "../../lambdas/core/time.js";
import { alertTopic } from "../../lambdas/core/topics.js";
import type { AlertSink } from "../../lambdas/ports.js";

export interface LocalAlertSinkDeps {
  /** Publishes on the local MQTT broker (embedded or external). */
  readonly publishMqtt: (topic: string, payload: string) => Promise<void>;
  readonly print: (line: string) => void;
  /** The language of the printed line. @default "en" */
  readonly language?: Language;
  readonly webhook?: URL;
  /** Tries of one post in all. @default 3 */
  readonly webhookAttempts?: number;
  /** Wait before the second try; doubles, with jitter, after each failure. @default 500 */
  readonly webhookRetryDelayMs?: number;
  readonly now?: () => number;
}

/**
 * A reminder about an observation older than this is history catching up (the startup backfill
 * replays a day in seconds, with a reminder per hour of each episode): it is published, not
 * printed. Live reminders, per reading or from the hourly roll-up at :05, are younger.
 */
const PRINTED_REMINDER_MAX_AGE_MS = 2 * HOUR_MS;

/** Long enough for a slow receiver, short enough that a hung one does not hold up a shutdown for long. */
const WEBHOOK_TIMEOUT_MS = 5000;

/**
 * Alerts printed (but for reminders of the past), published on `kaikai/alerts/{sensorId}` and
 * posted to a webhook. The webhook is posted in the background with bounded retries: a slow or
 * failing receiver must never hold back the readings (their acknowledgement waits for this sink)
 * nor change the alert state.
 */
export function makeLocalAlertSink(deps: LocalAlertSinkDeps): AlertSink & { settled(): Promise<void> } {
  const inFlight = new Set<Promise<void>>();
  const attempts = deps.webhookAttempts ?? 3;
  const now = deps.now ?? Date.now;
  const worthPrinting = (notice: AlertNotice): boolean =>
    notice.state !== "reminder" || now() - Date.parse(notice.at) <= PRINTED_REMINDER_MAX_AGE_MS;

  async function postWebhook(url: URL, body: string): Promise<void> {
    try {
      await pRetry(
        async () => {
          const response = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
            signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
          });
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
        },
        { retries: attempts - 1, minTimeout: deps.webhookRetryDelayMs ?? 500, factor: 2, randomize: true },
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      deps.print(`webhook ${url.origin} failed after ${attempts} attempts (${reason}); the alert is still stored`);
    }
  }

  return {
    async publish(notice) {
      const body = JSON.stringify(notice);
      if (worthPrinting(notice)) {
        deps.print(
          `${noticeSubject(notice, deps.language)} (${notice.zone}, ${notice.averaging}, threshold ${notice.threshold}, at ${notice.at})`,
        );
      }
      if (deps.webhook !== undefined) {
        const posting = postWebhook(deps.webhook, body).finally(() => inFlight.delete(posting));
        inFlight.add(posting);
      }
      await deps.publishMqtt(alertTopic(notice.sensorId), body);
    },
    /** Waits for the webhook posts still going (for a clean shutdown). */
    async settled() {
      await Promise.allSettled([...inFlight]);
    },
  };
}
