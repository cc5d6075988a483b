/**
 * The per-reading fast paths of the contract's validation give exactly what the general code
 * gives: the canonical timestamp reader against the regex reader, the UTF-8 check against a fatal
 * TextDecoder. (The Timestream record's fast paths are tested beside their adapter.)
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeUtf8, parseCanonicalInstant, parseIsoInstant, parseTimestamp } from "../../../lambdas/core/validate.js";

const fatalDecoder = new TextDecoder("utf-8", { fatal: true });

function decodeWithTextDecoder(bytes: Uint8Array): string | undefined {
  try {
    return fatalDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

const anyDate = fc.date({
  min: new Date(Date.UTC(-1, 0, 1)),
  max: new Date(Date.UTC(9999, 11, 31)),
  noInvalidDate: true,
});
const pad = (value: number, width: number) => String(value).padStart(width, "0");

describe("parseCanonicalInstant", () => {
  it("reads every toISOString() output, with or without milliseconds, as the regex reader does", () => {
    fc.assert(
      fc.property(anyDate, fc.boolean(), (date, withMillis) => {
        const iso = date.toISOString();
        const text = withMillis ? iso : `${iso.slice(0, 19)}Z`;
        const general = parseIsoInstant(text);
        const fast = parseCanonicalInstant(text);
        // Years before 0100 (and expanded years) are left to the general reader on purpose.
        if (fast !== undefined) expect(fast).toBe(general);
        expect(parseTimestamp(text)).toBe(general);
      }),
    );
  });

  it("reads the canonical shape with any digits, impossible dates included, as the regex reader does", () => {
    const digits = (width: number) => fc.integer({ min: 0, max: 10 ** width - 1 }).map((n) => pad(n, width));
    const canonical = fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), fc.option(digits(3)))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${ms === null ? "" : `.${ms}`}Z`);
    fc.assert(
      fc.property(canonical, (text) => {
        const fast = parseCanonicalInstant(text);
        if (fast !== undefined) expect(fast).toBe(parseIsoInstant(text));
        expect(parseTimestamp(text)).toBe(parseIsoInstant(text));
      }),
    );
  });

  it("leaves every other string to the regex reader", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        const fast = parseCanonicalInstant(text);
        if (fast !== undefined) expect(fast).toBe(parseIsoInstant(text));
        expect(parseTimestamp(text)).toBe(parseIsoInstant(text));
      }),
    );
    for (const text of [
      "2026-11-28T10:00:00+00:00",
      "2026-11-28T10:00Z",
      "2026-11-28T10:00:00.1Z",
      "0050-01-01T00:00:00Z",
    ]) {
      expect(parseCanonicalInstant(text)).toBeUndefined();
    }
  });
});

describe("decodeUtf8", () => {
  it("accepts and decodes exactly what a fatal TextDecoder does, on any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(decodeUtf8(bytes)).toBe(decodeWithTextDecoder(bytes));
      }),
    );
  });

  it("agrees on encoded text, with and without a byte order mark, from a Buffer or a plain view", () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.boolean(), fc.boolean(), (text, withBom, asBuffer) => {
        const encoded = encoder.encode(withBom ? `\uFEFF${text}` : text);
        // A view into a larger buffer, as a Buffer from a pool or a subarray would be.
        const backing = new Uint8Array(encoded.length + 4);
        backing.set(encoded, 2);
        const view = backing.subarray(2, 2 + encoded.length);
        const bytes = asBuffer ? Buffer.from(view.buffer, view.byteOffset, view.byteLength) : view;
        expect(decodeUtf8(bytes)).toBe(decodeWithTextDecoder(view));
      }),
    );
  });
});
