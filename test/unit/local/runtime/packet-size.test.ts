import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packetSizeGuard } from "../../../../local/runtime/packet-size.js";

/** An MQTT packet of `bodyLength` bytes after its fixed header, the remaining length encoded as MQTT does. */
function packet(type: number, bodyLength: number): Buffer {
  const length: number[] = [];
  let rest = bodyLength;
  do {
    const digit = rest % 128;
    rest = Math.floor(rest / 128);
    length.push(rest > 0 ? digit | 0x80 : digit);
  } while (rest > 0);
  return Buffer.concat([Buffer.from([type, ...length]), Buffer.alloc(bodyLength, 0x78)]);
}

/** `bytes` cut at the given offsets, as a socket might deliver it. */
function chunks(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  return [...points, bytes.length].map((end, index) => bytes.subarray(index === 0 ? 0 : (points[index - 1] ?? 0), end));
}

const MAX = 300;
const typeByte = fc.integer({ min: 0x10, max: 0xef });

describe("packetSizeGuard", () => {
  it("lets through any stream of packets within the limit, however it is cut", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(typeByte, fc.integer({ min: 0, max: MAX - 3 })), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (packets, cuts) => {
          const guard = packetSizeGuard(MAX);
          const stream = Buffer.concat(packets.map(([type, body]) => packet(type, body)));
          expect(
            chunks(stream, cuts)
              .map(guard)
              .filter((verdict) => verdict !== undefined),
          ).toEqual([]);
        },
      ),
    );
  });

  it("flags an oversized packet at the chunk that ends its header, before any of its body is needed", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(typeByte, fc.integer({ min: 0, max: MAX - 3 })), { maxLength: 5 }),
        fc.integer({ min: MAX, max: 10 * 1024 * 1024 }),
        fc.nat(),
        (before, oversized, cut) => {
          const guard = packetSizeGuard(MAX);
          const prefix = Buffer.concat(before.map(([type, body]) => packet(type, body)));
          const big = packet(0x30, oversized);
          const headerEnd = prefix.length + (big.length - oversized);
          const split = cut % (headerEnd + 1);
          // What arrives up to the end of the big packet's header, in two chunks.
          const first = guard(Buffer.concat([prefix, big]).subarray(0, split));
          const second = guard(Buffer.concat([prefix, big]).subarray(split, headerEnd));
          expect(first ?? second).toMatch(/^a packet of \d+ bytes \(at most 300\)$/);
        },
      ),
    );
  });

  it("flags a remaining length longer than MQTT allows", () => {
    expect(packetSizeGuard(MAX)(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(
      "a remaining length longer than four bytes",
    );
  });
});
