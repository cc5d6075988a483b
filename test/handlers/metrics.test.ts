/**
 * The EMF a real Powertools Metrics instance prints for a known batch: what CloudWatch turns into
 * the metrics that the dashboard draws and the alarms watch (same names, same dimension sets).
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { TimestreamWriteClient, WriteRecordsCommand } from "@aws-sdk/client-timestream-write";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMetrics, withPowertools } from "../../lambdas/aws/powertools.js";
import { makeSqsIngestHandler } from "../../lambdas/aws/sqs-batch.js";
import {
  METRIC,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  REASON_DIMENSION,
  ZONE_DIMENSION,
} from "../../lambdas/bindings/metrics.js";
import type { SensorHourBin, ZoneAggregate } from "../../lambdas/core/aggregates.js";
import { EMPTY_MEASURES, hourlyAggregates } from "../../lambdas/core/rollup.js";
import { HOUR_MS } from "../../lambdas/core/time.js";
import type { AlertStateStore } from "../../lambdas/ports.js";
import { makeHourlyRollup } from "../../lambdas/use-cases/hourly-rollup.js";
import { makeIngest } from "../../lambdas/use-cases/ingest.js";
import { makeZoneRollup } from "../../lambdas/use-cases/zone-rollup.js";
import { REGISTRY, SENSORS } from "../../lib/config/sensors.js";
import { COMPLETENESS_LOW } from "../fixtures/alerts.js";
import { mockedAwsIngestDeps, silentLogger } from "../fixtures/fakes.js";
import { lambdaContext } from "../fixtures/lambda-context.js";
import { goodPayload, messageOf, NOW, sqsEventOf, sqsRecord } from "../fixtures/telemetry.js";

const STAGE = "test";
const timestream = mockClient(TimestreamWriteClient);
const s3 = mockClient(S3Client);

interface EmfBlob {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit?: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

/**
 * A handler as its Lambda entry wraps it, so that Powertools' middleware flushes the metrics after
 * the invocation, with a fresh Metrics instance for the stage.
 */
function asLambda<Event, Result>(
  build: (metrics: ReturnType<typeof createMetrics>) => (event: Event) => Promise<Result>,
) {
  const logger = new Logger({ logLevel: "SILENT" });
  const metrics = createMetrics(STAGE, logger);
  const wrapped = withPowertools(build(metrics), {
    logger,
    metrics,
    tracer: new Tracer({ enabled: false }),
  });
  return (event: Event) => wrapped(event, lambdaContext());
}

/** Captures what is written to stdout while `action` runs and returns the EMF blobs among it. */
async function emfDuring(action: () => Promise<unknown>): Promise<EmfBlob[]> {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split("\n"));
    return true;
  });
  try {
    await action();
  } finally {
    write.mockRestore();
  }
  return lines.flatMap((line) => {
    if (!line.trimStart().startsWith("{")) return [];
    const parsed = JSON.parse(line) as Record<string, unknown>;
    return "_aws" in parsed ? [parsed as EmfBlob] : [];
  });
}

/**
 * The sum of a metric's values over the blobs whose dimension set is exactly `dimensions`: one
 * CloudWatch metric, as an alarm or a graph reads it.
 */
function metricSum(blobs: readonly EmfBlob[], name: string, dimensions: Readonly<Record<string, string>>): number {
  const wanted = Object.keys(dimensions).sort().join(",");
  let total = 0;
  for (const blob of blobs) {
    const directive = blob._aws.CloudWatchMetrics.find(
      (d) =>
        d.Namespace === METRICS_NAMESPACE &&
        d.Metrics.some((m) => m.Name === name) &&
        d.Dimensions.some((set) => [...set].sort().join(",") === wanted),
    );
    if (!directive) continue;
    if (!Object.entries(dimensions).every(([key, value]) => blob[key] === value)) continue;
    const value = blob[name];
    const values = Array.isArray(value) ? value : [value];
    total += values.reduce((sum: number, v) => sum + Number(v), 0);
  }
  return total;
}

function metricValues(blobs: readonly EmfBlob[], name: string): number[] {
  return blobs.flatMap((blob) => {
    const value = blob[name];
    if (value === undefined) return [];
    return (Array.isArray(value) ? value : [value]).map(Number);
  });
}

describe("ingest metrics as EMF", () => {
  beforeEach(() => {
    timestream.reset();
    s3.reset();
    timestream.on(WriteRecordsCommand).resolves({ RecordsIngested: { Total: 7, MemoryStore: 7, MagneticStore: 0 } });
    s3.on(PutObjectCommand).resolves({});
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function handler() {
    const clock = { now: () => NOW };
    const logger = silentLogger();
    return asLambda((metrics) =>
      makeSqsIngestHandler(makeIngest(mockedAwsIngestDeps({ clock, bucket: "quarantine", logger, metrics })), clock),
    );
  }

  /** 7 good readings, 2 malformed (bad JSON payload, SQS body not an envelope), 1 out of range. */
  function knownBatch() {
    const sensors = ["SENS001", "SENS002", "SENS003", "SENS004", "SENS005", "SENS001", "SENS002"];
    const good = sensors.map((sensorId, minute) =>
      messageOf(goodPayload({ sensor_id: sensorId, timestamp: `2026-11-28T10:0${minute}:00Z` })),
    );
    const event = sqsEventOf([...good, messageOf("{not json", { raw: true }), messageOf(goodPayload({ pm25: 5000 }))]);
    return { ...event, Records: [...event.Records, sqsRecord("not-an-envelope", "plain text")] };
  }

  it("counts received, stored, quarantined (total and per reason) and WriteRecords calls", async () => {
    const blobs = await emfDuring(() => handler()(knownBatch()));
    const base = { service: METRICS_SERVICE, stage: STAGE };

    expect(metricSum(blobs, METRIC.readingsReceived, base)).toBe(10);
    expect(metricSum(blobs, METRIC.readingsStored, base)).toBe(7);
    expect(metricSum(blobs, METRIC.readingsQuarantined, base)).toBe(3);
    expect(metricSum(blobs, METRIC.readingsQuarantined, { ...base, [REASON_DIMENSION]: "malformed_json" })).toBe(2);
    expect(metricSum(blobs, METRIC.readingsQuarantined, { ...base, [REASON_DIMENSION]: "out_of_range" })).toBe(1);
    expect(metricSum(blobs, METRIC.writeRecordsCalls, base)).toBe(1);
    expect(metricSum(blobs, METRIC.recordsRejectedByStore, base)).toBe(0);
  });

  it("records one ingest and one processing latency per stored reading, in ms", async () => {
    const blobs = await emfDuring(() => handler()(knownBatch()));
    const ingestLatencies = metricValues(blobs, METRIC.ingestLatency);
    expect(ingestLatencies).toHaveLength(7);
    // NOW is 10:05; the readings are from 10:00 to 10:06, so the one from the future is negative.
    expect(Math.max(...ingestLatencies)).toBe(5 * 60_000);
    expect(metricValues(blobs, METRIC.processingLatency)).toHaveLength(7);
    expect(metricValues(blobs, METRIC.batchDuration)).toHaveLength(1);
  });

  it("emits every metric in the Kaikai namespace with exactly the dimension sets the dashboard reads", async () => {
    const blobs = await emfDuring(() => handler()(knownBatch()));
    const dimensionSets = new Set(
      blobs.flatMap((blob) =>
        blob._aws.CloudWatchMetrics.flatMap((d) => {
          expect(d.Namespace).toBe(METRICS_NAMESPACE);
          return d.Dimensions.map((set) => [...set].sort().join(","));
        }),
      ),
    );
    expect([...dimensionSets].sort()).toEqual(["reason,service,stage", "service,stage"]);
  });
});

describe("roll-up metrics as EMF", () => {
  const HOUR = Date.parse("2026-11-28T09:00:00Z");
  const RUN_AT = Date.parse("2026-11-28T10:05:00Z");
  const base = { service: METRICS_SERVICE, stage: STAGE };
  const completenessLow = COMPLETENESS_LOW;

  /** A full hour (60 readings) for the first `active` sensors of the registry; nothing from the others. */
  function bins(active: number): SensorHourBin[] {
    return SENSORS.slice(0, active).map(({ sensorId }) => ({
      sensorId,
      hourStart: HOUR,
      readings: 60,
      measures: {
        ...EMPTY_MEASURES,
        pm25: { count: 60, sum: 60 * 20, min: 10, max: 30 },
      },
      flags: {},
    }));
  }

  function memoryAlertStates(): AlertStateStore {
    const saved = new Map<string, { states: Record<string, never>; version: number }>();
    return {
      load: async (sensorId) => saved.get(sensorId) ?? { states: {}, version: null },
      save: async (sensorId, states, expectedVersion) => {
        saved.set(sensorId, { states: states as Record<string, never>, version: (expectedVersion ?? 0) + 1 });
      },
    };
  }

  it("hourly: counts the active sensors of the hour, the run, and each alert opened", async () => {
    const handler = asLambda((metrics) =>
      makeHourlyRollup({
        registry: REGISTRY,
        bins: { bins: async () => bins(3) },
        writer: { writeHourly: async () => undefined },
        hourly: { hourly: async () => [] },
        publisher: {
          publishHourly: async () => undefined,
          publishZones: async () => undefined,
          publishDaily: async () => undefined,
        },
        alerting: { rules: [completenessLow], states: memoryAlertStates(), sink: { publish: async () => undefined } },
        clock: { now: () => RUN_AT },
        logger: silentLogger(),
        metrics,
      }),
    );

    const blobs = await emfDuring(() => handler({ hour: new Date(HOUR).toISOString() }));

    expect(metricSum(blobs, METRIC.activeSensors, base)).toBe(3);
    expect(metricSum(blobs, METRIC.hourlyRollupRuns, base)).toBe(1);
    // The two silent sensors break the completeness rule.
    expect(metricSum(blobs, METRIC.alertsOpened, base)).toBe(SENSORS.length - 3);
  });

  it("hourly: a run that fails emits no run count, which is what the roll-up alarm waits for", async () => {
    const handler = asLambda((metrics) =>
      makeHourlyRollup({
        registry: REGISTRY,
        bins: {
          bins: async () => {
            throw new Error("Timestream unavailable");
          },
        },
        writer: { writeHourly: async () => undefined },
        hourly: { hourly: async () => [] },
        publisher: {
          publishHourly: async () => undefined,
          publishZones: async () => undefined,
          publishDaily: async () => undefined,
        },
        alerting: { rules: [], states: memoryAlertStates(), sink: { publish: async () => undefined } },
        clock: { now: () => RUN_AT },
        logger: silentLogger(),
        metrics,
      }),
    );

    const blobs = await emfDuring(() => handler({ hour: new Date(HOUR).toISOString() }).catch(() => undefined));

    expect(metricSum(blobs, METRIC.hourlyRollupRuns, base)).toBe(0);
  });

  it("zone: emits the completeness of each zone with its zone dimension, and the run", async () => {
    const hourlyRows = hourlyAggregates(REGISTRY, bins(3), { from: HOUR, to: HOUR + HOUR_MS });
    const written: ZoneAggregate[] = [];
    const handler = asLambda((metrics) =>
      makeZoneRollup({
        hourly: { hourly: async () => hourlyRows },
        writer: { writeZones: async (rows) => void written.push(...rows) },
        publisher: {
          publishHourly: async () => undefined,
          publishZones: async () => undefined,
          publishDaily: async () => undefined,
        },
        clock: { now: () => RUN_AT },
        logger: silentLogger(),
        metrics,
      }),
    );

    const blobs = await emfDuring(() => handler({ hour: new Date(HOUR).toISOString() }));

    expect(metricSum(blobs, METRIC.zoneRollupRuns, base)).toBe(1);
    for (const zone of written) {
      expect(
        metricSum(blobs, METRIC.zoneCompleteness, { ...base, [ZONE_DIMENSION]: zone.zone }),
        zone.zone,
      ).toBeCloseTo(zone.completeness * 100, 6);
    }
    expect(written.length).toBeGreaterThan(0);
  });
});
