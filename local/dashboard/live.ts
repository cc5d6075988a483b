import { EventEmitter } from "node:events";
import type { AlertNotice } from "../../lambdas/core/alerts.js";
import type { EnrichedReading } from "../../lambdas/core/reading.js";
import { isPipelineOutputTopic } from "../../lambdas/core/topics.js";
import type { LiveAlert, LiveReading } from "./api.js";

interface LiveEventMap {
  reading: [LiveReading];
  alert: [LiveAlert];
  /** A roll-up published its summary (the topic): the page reads the overview again. */
  rollup: [string];
}

/**
 * What happens in the pipeline, for the dashboard's live stream: readings as ingest stores them,
 * and what the pipeline publishes on MQTT (alerts and roll-up summaries), as a subscriber sees it.
 */
export class LiveEvents extends EventEmitter<LiveEventMap> {
  constructor() {
    super();
    // One listener per open page.
    this.setMaxListeners(0);
  }

  stored(readings: readonly EnrichedReading[]): void {
    if (this.listenerCount("reading") === 0) return;
    for (const reading of readings) {
      this.emit("reading", {
        sensor_id: reading.sensorId,
        timestamp: new Date(reading.timestamp).toISOString(),
        pm25: reading.pm25,
        pm25_corrected: reading.pm25Corrected,
        temperature: reading.temperature,
        humidity: reading.humidity,
        co2: reading.co2,
      });
    }
  }

  published(topic: string, payload: string): void {
    if (!isPipelineOutputTopic(topic)) return;
    if (topic.startsWith("kaikai/alerts/")) {
      const notice = JSON.parse(payload) as AlertNotice;
      this.emit("alert", {
        sensorId: notice.sensorId,
        ruleId: notice.ruleId,
        severity: notice.severity,
        state: notice.state,
        value: notice.value,
        threshold: notice.threshold,
        at: notice.at,
      });
    } else {
      this.emit("rollup", topic);
    }
  }
}
