import { Logger } from "@aws-lambda-powertools/logger";
import { type HandlerLogger, type HandlerMetrics, noMetrics } from "../../lambdas/ports.js";

const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "SILENT"] as const;

export interface LocalObservability {
  readonly logger: HandlerLogger;
  readonly metrics: HandlerMetrics;
}

/**
 * Locally there is no CloudWatch: the use cases count into Prometheus metrics where the pipeline
 * serves `/metrics` (local/runtime/prometheus.ts), and nowhere for a one-off command (its output,
 * `kaikai report health` and the database show the counts); the logger shows only errors unless
 * LOG_LEVEL says otherwise (e.g. LOG_LEVEL=WARN shows every quarantined reading).
 */
export function makeLocalObservability(
  env: NodeJS.ProcessEnv = process.env,
  metrics: HandlerMetrics = noMetrics,
): LocalObservability {
  const level = LOG_LEVELS.find((name) => name === env.LOG_LEVEL?.toUpperCase()) ?? "ERROR";
  return { logger: new Logger({ serviceName: "kaikai-local", logLevel: level }), metrics };
}
