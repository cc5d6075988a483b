/**
 * Seeded randomness. The model hashes (seed, sensor, time) rather than drawing from a stream, so
 * that a reading at a given time is the same whatever order readings are generated in.
 */

/** FNV-1a, 32 bits. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Mixes integers into one well-spread 32-bit hash (the murmur3 finaliser on each step). */
export function mixHash(...values: readonly number[]): number {
  let hash = 0x9e3779b9;
  for (const value of values) {
    hash = Math.imul(hash ^ (value | 0), 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
  }
  return hash >>> 0;
}

/** A number in [0, 1) determined by its inputs. */
export function unitHash(...values: readonly number[]): number {
  return mixHash(...values) / 2 ** 32;
}

/** A number in [-1, 1] that wanders smoothly: cosine interpolation between hashed knots. */
export function smoothNoise(seed: number, key: number, time: number, periodMs: number): number {
  const position = time / periodMs;
  const knot = Math.floor(position);
  const fraction = position - knot;
  const weight = (1 - Math.cos(Math.PI * fraction)) / 2;
  const before = unitHash(seed, key, knot) * 2 - 1;
  const after = unitHash(seed, key, knot + 1) * 2 - 1;
  return before + (after - before) * weight;
}

/** A sequential generator (mulberry32), for choices that depend on order, such as faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32;
  };
}
