// The first number seedrandom(seed)() returns for a string seed — bit for bit (ARC4 keyed by seedrandom's mixkey,
// 256 bytes dropped, then its 52-bit double) — without seedrandom's per-call overhead (the global entropy-pool
// mixing and array/string conversions that dominate its cost). Sampling ranks every case by this key, so a
// 1,273-case file costs ~2 ms instead of ~30 ms. Identity with the seedrandom package is property-tested
// (test/sampling-arc4.test.ts); sample keys, and so every committed sample, are unchanged.

const S = new Uint8Array(256);
const KEY = new Uint8Array(256);

export function seededFirstDouble(seed: string): number {
  // mixkey(seed, key): key[j & 255] = 255 & ((smear ^= key[j & 255] * 19) + charCode(j)); unset entries count as 0.
  let keylen = Math.min(seed.length, 256);
  let smear = 0;
  for (let j = 0; j < seed.length; j++) {
    const k = j & 255;
    const prev = j < 256 ? 0 : KEY[k]!;
    smear = (smear ^ (prev * 19)) | 0;
    KEY[k] = (smear + seed.charCodeAt(j)) & 255;
  }
  if (keylen === 0) {
    KEY[0] = 0;
    keylen = 1;
  }
  // ARC4 key schedule.
  for (let i = 0; i < 256; i++) S[i] = i;
  let j = 0;
  for (let i = 0; i < 256; i++) {
    const t = S[i]!;
    j = (j + KEY[i % keylen]! + t) & 255;
    S[i] = S[j]!;
    S[j] = t;
  }
  let i = 0;
  j = 0;
  const g = (count: number): number => {
    let r = 0;
    while (count--) {
      i = (i + 1) & 255;
      const t = S[i]!;
      j = (j + t) & 255;
      S[i] = S[j]!;
      S[j] = t;
      r = r * 256 + S[(S[i]! + t) & 255]!;
    }
    return r;
  };
  g(256); // seedrandom drops the first 256 bytes
  let n = g(6);
  let d = 281474976710656; // 256^6
  let x = 0;
  while (n < 4503599627370496) {
    // 2^52
    n = (n + x) * 256;
    d *= 256;
    x = g(1);
  }
  while (n >= 9007199254740992) {
    // 2^53
    n /= 2;
    d /= 2;
    x >>>= 1;
  }
  return (n + x) / d;
}
