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
