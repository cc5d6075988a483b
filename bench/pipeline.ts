/**
 * 4. The local pipeline end to end: readings published at QoS 1 into the local runtime (embedded
 * broker, the ingest handler, SQLite), as fast as its acknowledgements allow, every one counted
 * back from `measurements`; against the same publisher on a bare aedes broker, in the same run.
 * 4b. The same with a fleet of 1,000 sensors (the registry's and simulated ones), against the
 * registry's 5 in the same run: the registry lookup and the per-sensor SQLite work at a fleet's size.
 * Its bar is the same absolute one: a batch of a thousand sensors' readings dirties a leaf of each
 * sensor's part of the indexes, so each commit writes more pages, and no ratio to 5 is promised.
 * 6b. The peak RSS of each broker process under that load.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Sensor } from "../lambdas/core/sensor.js";
import { SENSORS } from "../lib/config/sensors.js";
import { fleetOf } from "../local/simulator/fleet.js";
import { openPublisher } from "../local/simulator/publisher.js";
import { type FleetMessage, fleetMessages } from "./lib/fleet-messages.js";
import { startProbe } from "./lib/probe-process.js";
import { type Figure, formatMb, formatNumber, formatRatio, progress } from "./lib/report.js";
import { runSection } from "./lib/section.js";

const MIN_READINGS_PER_S = 10_000;
const MIN_SHARE_OF_BARE = 0.25;
const MAX_IN_FLIGHT = 2000;
const FLEET_SIZE = 1000;

/** Distinct (sensor, time) readings, one second apart per sensor, ending now. */
function readings(count: number, sensors: readonly Sensor[]): FleetMessage[] {
  const now = Date.now();
  const start = now - Math.ceil(count / sensors.length) * 1000;
  const timeOf = (index: number) => start + Math.floor(index / sensors.length) * 1000;
  return fleetMessages(count, { seed: 4, receivedAt: now, timeOf, sensors });
}

interface LoadResult {
  readonly perSecond: number;
  readonly acked: number;
  readonly failed: number;
  readonly peakRssBytes: number;
}

/** Publishes the warm-up, then times the measured messages until every one is acknowledged. */
async function load(
  probe: URL,
  args: string[],
  warmUp: readonly FleetMessage[],
  measured: readonly FleetMessage[],
): Promise<LoadResult> {
  const broker = await startProbe(probe, args);
  const url = String(broker.ready.url);
  const publisher = await openPublisher({
    target: { kind: "broker", url },
    sensorIds: [],
    maxInFlight: MAX_IN_FLIGHT,
    connectTimeoutMs: 10_000,
  });
  for (const message of warmUp) await publisher.publish(message.topic, message.payload);
  await publisher.flush();
  const started = process.hrtime.bigint();
  for (const message of measured) await publisher.publish(message.topic, message.payload);
  await publisher.flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { acked, failed } = publisher.counts();
  await publisher.close(5000);
  const done = await broker.stop();
  return { perSecond: measured.length / seconds, acked, failed, peakRssBytes: Number(done.peakRssBytes) };
}

function countRows(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM measurements").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const PIPELINE_PROBE = new URL("./probes/local-pipeline.ts", import.meta.url);

/** The messages split into the tenth that warms up and the rest that is timed. */
function split(messages: readonly FleetMessage[]): { warmUp: FleetMessage[]; measured: FleetMessage[] } {
  const warmUpCount = messages.length / 10;
  return { warmUp: messages.slice(0, warmUpCount), measured: messages.slice(warmUpCount) };
}

runSection(async (quick) => {
  const total = quick ? 30_000 : 250_000;
  const { warmUp, measured } = split(readings(total, SENSORS));
  const fleet = split(readings(total, fleetOf(SENSORS, FLEET_SIZE)));
  const dir = mkdtempSync(join(tmpdir(), "kaikai-bench-pipeline-"));
  try {
    progress(`4. bare aedes broker: ${formatNumber(total)} QoS 1 publishes`);
    const bare = await load(new URL("./probes/bare-broker.ts", import.meta.url), [], warmUp, measured);
    // A broker that dropped publishes would flatter the baseline.
    if (bare.acked !== total) throw new Error(`the bare broker acknowledged ${bare.acked} of ${total} publishes`);
    progress(`4. local pipeline: ${formatNumber(total)} readings through broker, ingest and SQLite`);
    const dbPath = join(dir, "kaikai.db");
    const pipeline = await load(PIPELINE_PROBE, [dbPath], warmUp, measured);
    const rows = countRows(dbPath);
    const lost = total - rows;
    const share = pipeline.perSecond / bare.perSecond;
    progress(`4b. local pipeline: ${formatNumber(total)} readings of ${formatNumber(FLEET_SIZE)} sensors`);
    const fleetDbPath = join(dir, "kaikai-fleet.db");
    const atScale = await load(PIPELINE_PROBE, [fleetDbPath, String(FLEET_SIZE)], fleet.warmUp, fleet.measured);
    const fleetLost = total - countRows(fleetDbPath);
    const shareOfFive = atScale.perSecond / pipeline.perSecond;
    return [
      {
        id: "4",
        measure: `local pipeline end to end (MQTT QoS 1, ingest, SQLite), ${formatNumber(measured.length)} readings after ${formatNumber(warmUp.length)} warm-up`,
        value: `${formatNumber(pipeline.perSecond)} readings/s; ${formatNumber(rows)} rows for ${formatNumber(pipeline.acked)} acked (${lost} lost)`,
        baseline: `bare aedes + mqtt.js QoS 1: ${formatNumber(bare.perSecond)}/s`,
        ratio: `${formatRatio(share)} of bare`,
        bar: `>= ${formatNumber(MIN_READINGS_PER_S)}/s, >= 1/4 of bare, 0 lost`,
        met:
          pipeline.perSecond >= MIN_READINGS_PER_S &&
          share >= MIN_SHARE_OF_BARE &&
          lost === 0 &&
          pipeline.failed === 0 &&
          pipeline.acked === total,
      },
      {
        id: "4b",
        measure: `the same with ${formatNumber(FLEET_SIZE)} sensors (the registry's 5 and simulated ones)`,
        value: `${formatNumber(atScale.perSecond)} readings/s (${fleetLost} lost)`,
        baseline: `the registry's ${SENSORS.length} sensors: ${formatNumber(pipeline.perSecond)}/s`,
        ratio: `${formatRatio(shareOfFive)} of ${SENSORS.length} sensors`,
        bar: `>= ${formatNumber(MIN_READINGS_PER_S)}/s, 0 lost`,
        met:
          atScale.perSecond >= MIN_READINGS_PER_S && fleetLost === 0 && atScale.failed === 0 && atScale.acked === total,
      },
      {
        id: "6b",
        measure: "peak RSS of the local pipeline process under that load",
        value: formatMb(pipeline.peakRssBytes),
        baseline: `bare aedes broker process: ${formatMb(bare.peakRssBytes)}`,
        ratio: formatRatio(pipeline.peakRssBytes / bare.peakRssBytes),
        bar: "",
        met: null,
      },
    ] satisfies Figure[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
