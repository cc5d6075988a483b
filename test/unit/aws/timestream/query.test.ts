import { QueryCommand, TimestreamQueryClient, ValidationException } from "@aws-sdk/client-timestream-query";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { makeTimestreamBinSource } from "../../../../lambdas/aws/timestream/aggregates.js";
import {
  createTimestreamQueryClient,
  parseTimestreamTimestamp,
  queryAll,
} from "../../../../lambdas/aws/timestream/query.js";
import { HOUR_MS } from "../../../../lambdas/core/time.js";
import { REGISTRY } from "../../../../lib/config/sensors.js";
import { around, queryPage, READING_COLUMNS, readingRows } from "../../../fixtures/fakes.js";

const timestream = mockClient(TimestreamQueryClient);
const client = new TimestreamQueryClient({ region: "eu-west-1" });
const T0 = Date.parse("2026-11-28T10:00:00Z");

beforeEach(() => timestream.reset());

describe("queryAll", () => {
  const columns = [
    ["sensor_id", "VARCHAR"],
    ["readings", "BIGINT"],
  ] as const;

  it("follows NextToken through every page, empty pages included", async () => {
    const pages = [
      queryPage(
        columns,
        [
          ["SENS001", 60],
          ["SENS002", 58],
        ],
        "token-1",
      ),
      queryPage(columns, [], "token-2"),
      queryPage(columns, [["SENS003", 12]]),
    ];
    // The paginator reuses one input object, so each call's token is copied as it is sent.
    const tokensSent: (string | undefined)[] = [];
    timestream.on(QueryCommand).callsFake((input: { NextToken?: string }) => {
      tokensSent.push(input.NextToken);
      return pages[tokensSent.length - 1];
    });

    const rows = await queryAll(client, "SELECT 1");

    expect(rows).toEqual([
      { sensor_id: "SENS001", readings: 60 },
      { sensor_id: "SENS002", readings: 58 },
      { sensor_id: "SENS003", readings: 12 },
    ]);
    expect(tokensSent).toEqual([undefined, "token-1", "token-2"]);
  });

  it("types each column from its Timestream type and keeps SQL NULL as null", async () => {
    timestream.on(QueryCommand).resolves(
      queryPage(
        [
          ["name", "VARCHAR"],
          ["count", "BIGINT"],
          ["mean", "DOUBLE"],
          ["at", "TIMESTAMP"],
          ["ok", "BOOLEAN"],
          ["missing", "DOUBLE"],
        ],
        [["Plateau", 42, 23.45, "2026-11-28 10:00:00.000000000", "true", null]],
      ),
    );
    expect(await queryAll(client, "SELECT 1")).toEqual([
      { name: "Plateau", count: 42, mean: 23.45, at: T0, ok: true, missing: null },
    ]);
  });
});

describe("parseTimestreamTimestamp", () => {
  it.each([
    ["2026-11-28 10:00:00.000000000", T0],
    ["2026-11-28 10:00:00.123456789", T0 + 123],
    ["2026-11-28 10:00:00", T0],
  ])("reads %s", (text, epochMs) => {
    expect(parseTimestreamTimestamp(text)).toBe(epochMs);
  });

  it("refuses anything else", () => {
    expect(() => parseTimestreamTimestamp("28/11/2026")).toThrow(/not a Timestream timestamp/);
  });
});

describe("makeTimestreamBinSource", () => {
  it("reads the range's readings and the hour before, page by page, and bins them by sensor and hour", async () => {
    timestream
      .on(QueryCommand)
      .resolvesOnce(queryPage(READING_COLUMNS, readingRows("SENS001", T0, around(24, 60, 12)), "next"))
      .resolvesOnce(queryPage(READING_COLUMNS, readingRows("SENS002", T0, around(10, 30, 2))));

    const source = makeTimestreamBinSource({
      client,
      database: "kaikai_dev",
      table: "measurements",
      registry: REGISTRY,
    });
    const bins = await source.bins({ from: T0, to: T0 + HOUR_MS });

    const query = timestream.commandCalls(QueryCommand)[0]?.args[0].input.QueryString ?? "";
    expect(query).toContain('FROM "kaikai_dev"."measurements"');
    expect(query).toContain("from_iso8601_timestamp('2026-11-28T09:00:00.000Z')");
    expect(query).toContain("from_iso8601_timestamp('2026-11-28T11:00:00.000Z')");
    expect(bins.map((bin) => [bin.sensorId, bin.hourStart, bin.readings, bin.measures.pm25])).toEqual([
      ["SENS001", T0, 60, { count: 60, sum: 1440, min: 12, max: 36 }],
      ["SENS002", T0, 30, { count: 30, sum: 300, min: 8, max: 12 }],
    ]);
    // Judged as everywhere: the EPA correction of a PMS5003 at 60 % RH, no flag.
    expect(bins[1]?.measures.pm25_corrected).toMatchObject({ count: 30, min: 4.77, max: 6.87 });
    expect(bins[1]?.flags).toEqual({});
  });

  it("fails loudly when the result does not have the expected columns", async () => {
    timestream.on(QueryCommand).resolves(queryPage([["sensor_id", "VARCHAR"]], [["SENS001"]]));
    const source = makeTimestreamBinSource({
      client,
      database: "kaikai_dev",
      table: "measurements",
      registry: REGISTRY,
    });
    await expect(source.bins({ from: T0, to: T0 + HOUR_MS })).rejects.toThrow(/unexpected shape/);
  });
});

describe("sources over a table that has never been written", () => {
  const source = () =>
    makeTimestreamBinSource({ client, database: "kaikai_dev", table: "measurements", registry: REGISTRY });

  it("reads a column Timestream has never seen as no rows", async () => {
    timestream
      .on(QueryCommand)
      .rejects(new ValidationException({ message: "line 7:9: Column 'pm25' does not exist", $metadata: {} }));
    await expect(source().bins({ from: T0, to: T0 + HOUR_MS })).resolves.toEqual([]);
  });

  it("still fails on any other validation error, such as a missing database", async () => {
    timestream
      .on(QueryCommand)
      .rejects(new ValidationException({ message: "Requested database 'kaikai_dev' not found", $metadata: {} }));
    await expect(source().bins({ from: T0, to: T0 + HOUR_MS })).rejects.toThrow(/not found/);
  });
});

describe("createTimestreamQueryClient", () => {
  it("uses AWS_ENDPOINT_URL as a fixed endpoint, which keeps endpoint discovery off", async () => {
    const local = createTimestreamQueryClient({ region: "eu-west-1" }, { AWS_ENDPOINT_URL: "http://127.0.0.1:4566" });
    expect(local.config.isCustomEndpoint).toBe(true);
    const aws = createTimestreamQueryClient({ region: "eu-west-1" }, {});
    expect(aws.config.isCustomEndpoint).toBe(false);
  });
});
