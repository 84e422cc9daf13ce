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
  const h = whole.reset();
  h.text(s);
  return h.value();
}

/**
 * hash52 of a string given in pieces, without the string: text() and digits() feed characters as
 * hash52 would read them, so the value is hash52 of the pieces joined. length counts them.
 */
export class Hash52 {
  private a = 0x811c9dc5;
  private b = 0x9747b28c;
  length = 0;

  reset(): this {
    this.a = 0x811c9dc5;
    this.b = 0x9747b28c;
    this.length = 0;
    return this;
  }

  text(s: string): void {
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    this.a = a;
    this.b = b;
    this.length += s.length;
  }

  /** A non-negative integer's decimal digits, as String(n) writes them (anything else goes through String). */
  digits(n: number): void {
    if (!(n >= 0 && n <= 0xffffffff && n === Math.floor(n))) { this.text(String(n)); return; }
    let div = 1;
    while (div * 10 <= n) div *= 10;
    let a = this.a;
    let b = this.b;
    for (; div >= 1; div /= 10) {
      const c = 48 + (Math.floor(n / div) % 10);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      this.length++;
    }
    this.a = a;
    this.b = b;
  }

  value(): number {
    return fmix32(this.a) * 0x100000 + (fmix32(this.b) >>> 12);
  }
}

/** hash52's own hasher (one string at a time, so one instance serves every call). */
const whole = new Hash52();
