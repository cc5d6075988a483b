/** Logger and metrics for handlers driven in the benchmark's own process, where output would only add noise and time. */
import type { HandlerLogger, HandlerMetrics } from "../../lambdas/ports.js";

export const silentLogger: HandlerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export const silentMetrics: HandlerMetrics = {
  addMetric: () => undefined,
  singleMetric: () => ({ addMetric: () => undefined, addDimension: () => undefined }),
};
