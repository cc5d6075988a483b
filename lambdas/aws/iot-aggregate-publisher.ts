import { type IoTDataPlaneClient, PublishCommand } from "@aws-sdk/client-iot-data-plane";
import type { HourlySummary, ZoneSummary } from "../core/aggregates.js";
import { HOURLY_AGGREGATES_TOPIC, ZONE_AGGREGATES_TOPIC } from "../core/reading.js";
import type { AggregatePublisher } from "../ports.js";

/** Roll-up summaries on MQTT for live dashboards, QoS 1, JSON. */
export function makeIotAggregatePublisher(deps: { readonly client: IoTDataPlaneClient }): AggregatePublisher {
  const publish = async (topic: string, summary: HourlySummary | ZoneSummary): Promise<void> => {
    await deps.client.send(
      new PublishCommand({
        topic,
        qos: 1,
        contentType: "application/json",
        payload: new TextEncoder().encode(JSON.stringify(summary)),
      }),
    );
  };
  return {
    publishHourly: (summary) => publish(HOURLY_AGGREGATES_TOPIC, summary),
    publishZones: (summary) => publish(ZONE_AGGREGATES_TOPIC, summary),
  };
}
