import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  doubleText,
  makeReadingRecordMapper,
  READING_MEASURE_NAME,
  READING_RECORD_VERSION,
} from "../../../../lambdas/aws/timestream/records.js";
import type { EnrichedReading } from "../../../../lambdas/core/reading.js";
import { validateMessage } from "../../../../lambdas/core/validate.js";
import { CONTEXT, goodPayload, messageOf, NOW, withQuality } from "../../../fixtures/telemetry.js";

const toTimestreamRecord = makeReadingRecordMapper();

function validReading(overrides: Record<string, unknown> = {}): EnrichedReading {
  const result = validateMessage(messageOf(goodPayload(overrides), { receivedAt: NOW + 7 }), CONTEXT);
  if (!result.ok) throw new Error(result.rejection.detail);
  return result.reading;
}

describe("toTimestreamRecord", () => {
  it("maps a reading to one multi-measure record with the one reading version", () => {
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
        // Beside the raw value, never instead: the corrected PM2.5, its formula, the ingest flags.
        { Name: "pm25_corrected", Value: "11.89", Type: "DOUBLE" },
        { Name: "correction", Value: "epa_barkjohn_2022@1", Type: "VARCHAR" },
        { Name: "quality_flags", Value: "[]", Type: "VARCHAR" },
      ],
      Time: String(Date.parse("2026-11-28T10:00:00Z")),
      TimeUnit: "MILLISECONDS",
      Version: READING_RECORD_VERSION,
    });
  });

  it("adds battery, rssi and firmware as measures when the reading has them", () => {
    const record = toTimestreamRecord(validReading({ battery: 87.5, rssi: -71, firmware: "2.4.1" }));
    expect(record.MeasureValues.slice(7)).toEqual([
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

describe("doubleText", () => {
  it("writes every double as String does", () => {
    fc.assert(
      fc.property(fc.double(), (value) => {
        expect(doubleText(value)).toBe(String(value));
      }),
    );
  });

  it("writes the one-decimal values sensors send as String does", () => {
    fc.assert(
      fc.property(fc.integer({ min: -2_000_000, max: 2_000_000 }), (tenths) => {
        const value = tenths / 10;
        expect(doubleText(value)).toBe(String(value));
      }),
    );
    for (const value of [-0, 0.5, -0.5, -1.5, 0.1 + 0.2, 1e21, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(doubleText(value)).toBe(String(value));
    }
  });
});

describe("toTimestreamRecord dimensions", () => {
  const reading = (locationName: string, zone: string, city: string): EnrichedReading =>
    withQuality({
      sensorId: "SENS042",
      timestamp: 1_764_324_000_000,
      pm25: 1,
      temperature: 2,
      humidity: 3,
      co2: 400,
      locationName,
      zone: zone as EnrichedReading["zone"],
      city,
      receivedAt: 1_764_324_000_001,
    });

  it("follows a sensor whose location changes between records", () => {
    const names = fc.constantFrom("A", "B", "C");
    fc.assert(
      fc.property(
        fc.array(fc.tuple(names, fc.constantFrom("Urban", "Residential"), names), { minLength: 1 }),
        (steps) => {
          for (const [locationName, zone, city] of steps) {
            expect(toTimestreamRecord(reading(locationName, zone, city)).Dimensions).toEqual([
              { Name: "sensor_id", Value: "SENS042", DimensionValueType: "VARCHAR" },
              { Name: "location_name", Value: locationName, DimensionValueType: "VARCHAR" },
              { Name: "zone", Value: zone, DimensionValueType: "VARCHAR" },
              { Name: "city", Value: city, DimensionValueType: "VARCHAR" },
            ]);
          }
        },
      ),
    );
  });
});
