/**
 * Deferred wiring: a port whose SDK client is loaded and built on its first call, once per
 * container. A function that needs a client only now and then (ingest: S3 for rejects, SNS and
 * IoT for alerts) then does not parse it at cold start; the entry passes the dynamic `import()`.
 */
import type { AlertSink, AlertStateStore } from "../ports.js";

/** `load`, called at most once: every caller gets the same promise. */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}

/** Alert ports that load the real ones on the first notice or state read. */
export function alertPortsOnFirstUse(
  load: () => Promise<{ readonly sink: AlertSink; readonly states: AlertStateStore }>,
): { readonly sink: AlertSink; readonly states: AlertStateStore } {
  const ports = onFirstUse(load);
  return {
    sink: { publish: async (notice) => (await ports()).sink.publish(notice) },
    states: {
      load: async (sensorId) => (await ports()).states.load(sensorId),
      save: async (sensorId, states, expectedVersion) => (await ports()).states.save(sensorId, states, expectedVersion),
    },
  };
}
