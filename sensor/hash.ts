// The murmur3 32-bit finaliser (fmix32): spreads every input bit over the whole hash. Used for hash
// tables (flows) and sketches (HyperLogLog) where inputs such as addresses and ports differ in few bits.

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 52-bit hash of a string (two independent 32-bit FNV-1a style passes, each finalised by fmix32),
 * exact as a JS number: for remembering "seen before" keys in bounded memory, where a collision
 * (about 2^-52 per pair) only means one more skipped look-up.
 */
export function hash52(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return fmix32(a) * 0x100000 + (fmix32(b) >>> 12);
}
