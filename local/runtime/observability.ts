import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";

const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "SILENT"] as const;

/**
 * The handlers take Powertools' Logger and Metrics. Locally there is no CloudWatch: metrics are
 * switched off (the status line shows the counts) and only errors are logged, unless LOG_LEVEL
 * says otherwise (e.g. LOG_LEVEL=WARN shows every quarantined reading).
 */
export function makeLocalObservability(): { readonly logger: Logger; readonly metrics: Metrics } {
  // Powertools reads this switch when a Metrics is built.
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  const level = LOG_LEVELS.find((name) => name === process.env.LOG_LEVEL?.toUpperCase()) ?? "ERROR";
  return {
    logger: new Logger({ serviceName: "kaikai-local", logLevel: level }),
    metrics: new Metrics({ namespace: "kaikai-local", serviceName: "kaikai-local" }),
  };
}
