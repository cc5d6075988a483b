import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeReadingRecordMapper, READING_MEASURE_NAME } from "../../../../lambdas/aws/timestream/records.js";
import type { EnrichedReading } from "../../../../lambdas/core/reading.js";
import { validateMessage } from "../../../../lambdas/core/validate.js";
import { CONTEXT, goodPayload, messageOf, NOW } from "../../../fixtures/telemetry.js";

const toTimestreamRecord = makeReadingRecordMapper();

function validReading(overrides: Record<string, unknown> = {}): EnrichedReading {
  const result = validateMessage(messageOf(goodPayload(overrides), { receivedAt: NOW + 7 }), CONTEXT);
  if (!result.ok) throw new Error(result.rejection.detail);
  return result.reading;
}

describe("toTimestreamRecord", () => {
  it("maps a reading to one multi-measure record versioned by its receive time", () => {
    expect(toTimestreamRecord(validReading())).toEqual({
      Dimensions: [
        { Name: "sensor_id", Value: "SENS001", DimensionValueType: "VARCHAR" },
        { Name: "location_name", Value: "Dakar - Plateau", DimensionValueType: "VARCHAR" },
        { Name: "zone", Value: "Urban", DimensionValueType: "VARCHAR" },
        { Name: "city", Value: "Dakar", DimensionValueType: "VARCHAR" },
      ],
      MeasureName: READING_MEASURE_NAME,
      MeasureValueType: "MULTI",
      MeasureValues: [
        { Name: "pm25", Value: "23.4", Type: "DOUBLE" },
        { Name: "temperature", Value: "29.1", Type: "DOUBLE" },
        { Name: "humidity", Value: "71", Type: "DOUBLE" },
        { Name: "co2", Value: "612", Type: "BIGINT" },
      ],
      Time: String(Date.parse("2026-11-28T10:00:00Z")),
      TimeUnit: "MILLISECONDS",
      Version: NOW + 7,
    });
  });

  it("adds battery, rssi and firmware as measures when the reading has them", () => {
    const record = toTimestreamRecord(validReading({ battery: 87.5, rssi: -71, firmware: "2.4.1" }));
    expect(record.MeasureValues.slice(4)).toEqual([
      { Name: "battery", Value: "87.5", Type: "DOUBLE" },
      { Name: "rssi", Value: "-71", Type: "BIGINT" },
      { Name: "firmware", Value: "2.4.1", Type: "VARCHAR" },
    ]);
    expect(record.Dimensions.map(({ Name }) => Name)).toEqual(["sensor_id", "location_name", "zone", "city"]);
  });

  it("writes every measure so that it reads back as the same number", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1000, noNaN: true }),
        fc.double({ min: -40, max: 85, noNaN: true }),
        (pm25, temperature) => {
          const record = toTimestreamRecord(validReading({ pm25, temperature }));
          const value = (name: string) => Number(record.MeasureValues.find((measure) => measure.Name === name)?.Value);
          expect(value("pm25")).toBe(pm25 === 0 ? 0 : pm25);
          expect(value("temperature")).toBe(temperature === 0 ? 0 : temperature);
        },
      ),
    );
  });
});
