// Cheap deterministic hashing: every "random" choice the emulator makes is a function of the request
// (or of a seed and a request number), so runs are reproducible.

/** FNV-1a 32-bit over a string's UTF-16 code units. */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3 fmix) so nearby inputs spread over [0, 2^32).
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform-ish number in [0, 1) derived from a string. */
export function unit(s: string): number {
  return fnv1a(s) / 4294967296;
}
