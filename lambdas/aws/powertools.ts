/**
 * Powertools as each Lambda entry uses it: one Logger, Metrics and Tracer per container, and the
 * handler wrapped in their Middy middlewares, so that every invocation logs with its Lambda
 * context, flushes its metrics as EMF (cold starts counted) and is traced in X-Ray. The use cases
 * only see the Logger and Metrics through their ports.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { METRICS_NAMESPACE, METRICS_SERVICE, STAGE_DIMENSION } from "../bindings/metrics.js";

/**
 * The Powertools Metrics instance of a function: namespace `Kaikai`, dimensions `{ service, stage }`.
 * The service is the same for every function because the dashboard and alarms read one dimension
 * set per metric, and some metrics (AlertsOpened) come from more than one function. It is set here
 * rather than left to POWERTOOLS_SERVICE_NAME so that it holds wherever the instance is made
 * (tests, benches), not only inside a deployed function.
 */
export function createMetrics(stage: string, logger?: Logger): Metrics {
  return new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: METRICS_SERVICE,
    defaultDimensions: { [STAGE_DIMENSION]: stage },
    // Its own warnings (an invocation with no metric, say) as structured log lines.
    ...(logger === undefined ? {} : { logger }),
  });
}

export interface Powertools {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

/** Outside Lambda (tests, benches) the Tracer turns itself off: it traces only where X-Ray listens. */
export function createPowertools(stage: string): Powertools {
  const logger = new Logger();
  return { logger, metrics: createMetrics(stage, logger), tracer: new Tracer({ serviceName: METRICS_SERVICE }) };
}

/** The handler with Powertools' middlewares: X-Ray segment, Lambda context in the logs, metrics flushed. */
export function withPowertools<Event, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
  { logger, metrics, tracer }: Powertools,
) {
  return middy(handler)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
