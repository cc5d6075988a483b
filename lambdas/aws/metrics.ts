import { Metrics } from "@aws-lambda-powertools/metrics";
import { METRICS_NAMESPACE, METRICS_SERVICE, STAGE_DIMENSION } from "../metric-names.js";

/**
 * The Powertools Metrics instance of a function: namespace `Kaikai`, dimensions `{ service, stage }`.
 * The service is the same for every function because the dashboard and alarms read one dimension
 * set per metric, and some metrics (AlertsOpened) come from more than one function. It is set here
 * rather than left to POWERTOOLS_SERVICE_NAME so that it holds wherever the instance is made
 * (tests, benches), not only inside a deployed function.
 */
export function createMetrics(stage: string): Metrics {
  return new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: METRICS_SERVICE,
    defaultDimensions: { [STAGE_DIMENSION]: stage },
  });
}
