/**
 * The ingest handler with its real AWS adapters on real SDK clients, against the emulator at
 * AWS_ENDPOINT_URL: the messages go through an SQS queue, the readings into Timestream, the
 * rejects into an S3 object. What is asserted is what a user would look at afterwards.
 *
 * Not shown here, because moto 5.2 accepts every WriteRecords record as it comes: a record that
 * Timestream itself refuses (RejectedRecordsException, quarantined as `store_rejected`). The
 * handler tests cover that path on a mocked client.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { SqsIngestHandler } from "../../lambdas/aws/sqs-batch.js";
import {
  READING_DIMENSIONS,
  READING_MEASURE_NAME,
  READING_RECORD_VERSION,
} from "../../lambdas/aws/timestream/records.js";
import { toEnvelopeBody } from "../../lambdas/aws/topic-rule-envelope.js";
import { QUARANTINE_PREFIX } from "../../lambdas/bindings/resources.js";
import type { InboundMessage, ReasonCode } from "../../lambdas/core/reading.js";
import { telemetryTopic } from "../../lambdas/core/topics.js";
import { SENSORS } from "../../lib/config/sensors.js";
import { goodPayload, messageOf } from "../fixtures/telemetry.js";
import {
  createBucket,
  createMeasurementsTable,
  emulatorIngestHandler,
  quietObservability,
  readObjects,
} from "./aws-emulator.js";
import { deliverThroughQueue } from "./lambda-event.js";
import { readStoredRecords, type StoredRecord } from "./timestream-read-back.js";

const MINUTE = 60_000;
/** Readings a few minutes old, as a live fleet sends them; a real Timestream refuses stale ones. */
const RECEIVED_AT = Math.floor(Date.now() / 1000) * 1000;
const at = (minutesAgo: number): string => new Date(RECEIVED_AT - minutesAgo * MINUTE).toISOString();

const GOOD: readonly Record<string, unknown>[] = [
  goodPayload({ sensor_id: "SENS001", timestamp: at(3) }),
  goodPayload({
    sensor_id: "SENS002",
    timestamp: at(2),
    pm25: 8.5,
    co2: 455,
    battery: 87,
    rssi: -71,
    firmware: "2.4.1",
  }),
  goodPayload({ sensor_id: "SENS004", timestamp: RECEIVED_AT - 2 * MINUTE, temperature: 33.25, humidity: 48 }),
];

const encoder = new TextEncoder();
const raw = (sensorId: string, text: string): InboundMessage => ({
  payload: encoder.encode(text),
  topic: telemetryTopic(sensorId),
  receivedAt: RECEIVED_AT,
});

/** One message per way in which a reading reaches the quarantine without the store's say. */
const BAD: readonly { reason: ReasonCode; message: InboundMessage }[] = [
  { reason: "malformed_json", message: raw("SENS003", '{"sensor_id":"SENS003","pm25":') },
  { reason: "not_an_object", message: raw("SENS003", "[1,2,3]") },
  { reason: "missing_field", message: messageOf(goodPayload({ co2: undefined, timestamp: at(1) })) },
  { reason: "wrong_type", message: messageOf(goodPayload({ pm25: "23.4", timestamp: at(1) })) },
  { reason: "out_of_range", message: messageOf(goodPayload({ humidity: 140, timestamp: at(1) })) },
  {
    reason: "sensor_mismatch",
    message: messageOf(goodPayload({ sensor_id: "SENS002", timestamp: at(1) }), {
      topic: telemetryTopic("SENS001"),
      receivedAt: RECEIVED_AT,
    }),
  },
  { reason: "unknown_sensor", message: messageOf(goodPayload({ sensor_id: "SENS999", timestamp: at(1) })) },
  { reason: "timestamp_in_future", message: messageOf(goodPayload({ timestamp: RECEIVED_AT + 60 * MINUTE })) },
];

const goodMessages = GOOD.map((payload) => messageOf(payload, { receivedAt: RECEIVED_AT }));
const badMessages = BAD.map(({ message }) => ({ ...message, receivedAt: RECEIVED_AT }));

describe("ingest against the emulator", () => {
  let resources: { database: string; table: string; bucket: string };
  let runIngest: (messages: readonly InboundMessage[]) => ReturnType<SqsIngestHandler>;

  beforeAll(async () => {
    const [{ database, table }, bucket] = await Promise.all([createMeasurementsTable(), createBucket()]);
    resources = { database, table, bucket };
    const clock = { now: () => RECEIVED_AT + 1000 };
    const handler = emulatorIngestHandler({ database, table, bucket, clock, ...quietObservability() });
    runIngest = async (messages) => handler(await deliverThroughQueue(messages.map(toEnvelopeBody)));
  });

  it("stores the good readings, quarantines each bad one with its reason, and retries nothing", async () => {
    const response = await runIngest([...goodMessages, ...badMessages]);
    expect(response).toEqual({ batchItemFailures: [] });

    const { records, versionsVisible } = await readStoredRecords(
      resources.database,
      resources.table,
      READING_DIMENSIONS,
    );
    const version = versionsVisible ? READING_RECORD_VERSION : undefined;
    expect(records.map(comparable).sort(bySensor)).toEqual(GOOD.map((p) => expectedRecord(p, version)).sort(bySensor));

    const objects = await readObjects(resources.bucket, QUARANTINE_PREFIX);
    expect(objects).toHaveLength(1);
    const lines = (objects[0]?.body ?? "").trimEnd().split("\n").map(parseLine);
    expect(lines.map((line) => line.reason).sort()).toEqual(BAD.map(({ reason }) => reason).sort());
    for (const { reason, message } of BAD) {
      expect(lines.find((line) => line.reason === reason)).toMatchObject({
        topic: message.topic,
        received_at: new Date(RECEIVED_AT).toISOString(),
        payload: new TextDecoder().decode(message.payload),
        payload_encoding: "utf8",
      });
    }
  });

  it("writes a replayed delivery as the same records with the same version", async () => {
    const read = () => readStoredRecords(resources.database, resources.table, READING_DIMENSIONS);
    const before = (await read()).records;
    await runIngest(goodMessages);
    const after = (await read()).records;
    // moto keeps every write; a real Timestream keeps one record per series and time, and the
    // equal version makes the replay a no-op there.
    const replayed = after.length > before.length ? after.slice(before.length) : after;
    expect(replayed).toHaveLength(GOOD.length);
    expect(replayed.map(comparable).sort(bySensor)).toEqual(before.map(comparable).sort(bySensor));
  });
});

interface QuarantineLine {
  readonly reason: string;
  readonly topic: string;
  readonly received_at: string;
  readonly payload: string;
  readonly payload_encoding: string;
}

const parseLine = (line: string): QuarantineLine => JSON.parse(line) as QuarantineLine;

/** A stored record with numbers compared as numbers ("71" and "71.0" are the same humidity). */
interface ComparableRecord extends Omit<StoredRecord, "measures"> {
  readonly measures: Readonly<Record<string, { readonly value: string | number; readonly type: string }>>;
}

function comparable(record: StoredRecord): ComparableRecord {
  const measures = Object.entries(record.measures).map(([name, { value, type }]) => [
    name,
    { value: type === "VARCHAR" ? value : Number(value), type },
  ]);
  return { ...record, measures: Object.fromEntries(measures) };
}

/** The record a reading should become: the contract of ARCHITECTURE.md, written out by hand. */
function expectedRecord(payload: Record<string, unknown>, version: number | undefined): ComparableRecord {
  const sensor = SENSORS.find((s) => s.sensorId === payload.sensor_id);
  if (sensor === undefined) throw new Error(`no sensor ${String(payload.sensor_id)}`);
  const optional = (name: string, type: string) =>
    payload[name] === undefined ? {} : { [name]: { value: Number(payload[name]), type } };
  return {
    measureName: READING_MEASURE_NAME,
    time: typeof payload.timestamp === "number" ? payload.timestamp : Date.parse(String(payload.timestamp)),
    dimensions: {
      sensor_id: sensor.sensorId,
      location_name: sensor.locationName,
      zone: sensor.zone,
      city: sensor.city,
    },
    measures: {
      pm25: { value: Number(payload.pm25), type: "DOUBLE" },
      temperature: { value: Number(payload.temperature), type: "DOUBLE" },
      humidity: { value: Number(payload.humidity), type: "DOUBLE" },
      co2: { value: Number(payload.co2), type: "BIGINT" },
      // PMS5003: the EPA's correction (2021 equation below 570 ug/m3), beside the raw value.
      pm25_corrected: {
        value: Math.max(
          0,
          Math.round((0.524 * Number(payload.pm25) - 0.0862 * Number(payload.humidity) + 5.75) * 100) / 100,
        ),
        type: "DOUBLE",
      },
      correction: { value: "epa_barkjohn_2022@1", type: "VARCHAR" },
      quality_flags: { value: Number(payload.co2) < 400 ? '["co2_below_background"]' : "[]", type: "VARCHAR" },
      ...optional("battery", "DOUBLE"),
      ...optional("rssi", "BIGINT"),
      ...(payload.firmware === undefined ? {} : { firmware: { value: String(payload.firmware), type: "VARCHAR" } }),
    },
    version,
  };
}

const bySensor = (a: ComparableRecord, b: ComparableRecord): number =>
  String(a.dimensions.sensor_id).localeCompare(String(b.dimensions.sensor_id));
