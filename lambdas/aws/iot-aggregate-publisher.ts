import type { IoTDataPlaneClient } from "@aws-sdk/client-iot-data-plane";
import { DAILY_AGGREGATES_TOPIC, HOURLY_AGGREGATES_TOPIC, ZONE_AGGREGATES_TOPIC } from "../core/topics.js";
import type { AggregatePublisher } from "../ports.js";
import { publishJson } from "./iot-data.js";

/** Roll-up summaries on MQTT for live dashboards. */
export function makeIotAggregatePublisher(deps: { readonly client: IoTDataPlaneClient }): AggregatePublisher {
  return {
    publishHourly: (summary) => publishJson(deps.client, HOURLY_AGGREGATES_TOPIC, summary),
    publishZones: (summary) => publishJson(deps.client, ZONE_AGGREGATES_TOPIC, summary),
    publishDaily: (summary) => publishJson(deps.client, DAILY_AGGREGATES_TOPIC, summary),
  };
}
