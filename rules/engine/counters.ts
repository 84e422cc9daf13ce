// Bounded window counters: sliding/tumbling sums, distinct counts (exact up to a cap, then HyperLogLog).
import { fmix32 } from '../../sensor/hash.js';

/** 32-bit string hash: FNV-1a over UTF-16 code units, then the murmur3 finaliser for avalanche. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** 32-bit hash of a number (ports, counters) without making a string: murmur3 finaliser over both halves. */
export function hashNumber(n: number): number {
  return fmix32((n | 0) ^ Math.imul((n / 4294967296) | 0, 0x9e3779b1));
}

/**
 * hash32 of an IPv4 address's dotted text ("192.0.2.1"), computed from the number without making the
 * string: a held scanner's distinct destinations reach a sketch that also holds addresses added as text.
 */
export function hash32Ip4(ip: number): number {
  return fmix32(fnv1aIp4(ip));
}

/** FNV-1a (32-bit, unsigned) over the UTF-16 code units of an IPv4 address's dotted text, from the number. */
export function fnv1aIp4(ip: number): number {
  let h = 0x811c9dc5;
  for (let shift = 24; shift >= 0; shift -= 8) {
    const o = (ip >>> shift) & 255;
    if (o >= 100) h = Math.imul(h ^ (48 + ((o / 100) | 0)), 0x01000193);
    if (o >= 10) h = Math.imul(h ^ (48 + (((o / 10) | 0) % 10)), 0x01000193);
    h = Math.imul(h ^ (48 + (o % 10)), 0x01000193);
    if (shift !== 0) h = Math.imul(h ^ 46, 0x01000193);
  }
  return h >>> 0;
}

/** HyperLogLog (Flajolet et al. 2007) with 2^10 registers: ~3.3% standard error, 1 KiB. */
export class HyperLogLog {
  static readonly P = 10;
  static readonly M = 1 << HyperLogLog.P;
  readonly reg = new Uint8Array(HyperLogLog.M);
  /** Running sum of 2^-reg[j] and count of zero registers, so estimate() is O(1). */
  private sum = HyperLogLog.M;
  private zeros = HyperLogLog.M;

  add(value: string | number): void {
    this.addHash(typeof value === 'number' ? hashNumber(value) : hash32(value));
  }

  addHash(h: number): void {
    const j = h >>> (32 - HyperLogLog.P);
    const w = (h << HyperLogLog.P) >>> 0;
    // rank = position of the first 1-bit in the remaining 22 bits (1-based), capped.
    const rank = w === 0 ? 32 - HyperLogLog.P + 1 : Math.clz32(w) + 1;
    const old = this.reg[j]!;
    if (rank > old) {
      this.sum += 2 ** -rank - 2 ** -old;
      if (old === 0) this.zeros--;
      this.reg[j] = rank;
    }
  }

  merge(o: HyperLogLog): void {
    for (let j = 0; j < HyperLogLog.M; j++) {
      const r = o.reg[j]!;
      const old = this.reg[j]!;
      if (r > old) {
        this.sum += 2 ** -r - 2 ** -old;
        if (old === 0) this.zeros--;
        this.reg[j] = r;
      }
    }
  }

  estimate(): number {
    const m = HyperLogLog.M;
    const alpha = 0.7213 / (1 + 1.079 / m);
    const e = (alpha * m * m) / this.sum;
    // Small-range correction: linear counting while registers are still empty.
    if (e <= 2.5 * m && this.zeros > 0) return Math.round(m * Math.log(m / this.zeros));
    // Large-range correction for a 32-bit hash.
    const two32 = 2 ** 32;
    if (e > two32 / 30) return Math.round(-two32 * Math.log(1 - e / two32));
    return Math.round(e);
  }

  clear(): void {
    this.reg.fill(0);
    this.sum = HyperLogLog.M;
    this.zeros = HyperLogLog.M;
  }
}

/**
 * Distinct values over a window. Exact (value -> last seen, oldest first) up to `cap` values; past the
 * cap it switches to a HyperLogLog that restarts each window (tumbling), so memory stays bounded.
 * windowUs = Infinity counts over all time (the cumulative count kept on an alert).
 */
export class DistinctCounter {
  exact: Map<string | number, number> | null = new Map();
  hll: HyperLogLog | null = null;
  private hllStart = 0;
  /** The value add() set last: if still in `exact`, it is the newest entry (every insertion goes through add()). */
  private lastValue: string | number | undefined = undefined;

  constructor(private readonly cap: number, private readonly windowUs: number) {}

  /** Numbers are kept as numbers (no string per event); a number and its text count as different values. */
  add(value: string | number, ts: number): void {
    if (this.hll) {
      if (ts - this.hllStart > this.windowUs) {
        // The sketch's window is over: back to exact counting with fresh state.
        this.hll = null;
        this.exact = new Map();
      } else {
        this.hll.add(value);
        return;
      }
    }
    const ex = this.exact!;
    // Keep oldest-first order for expire(): a value seen again moves to the end (delete is a no-op for
    // a new one). The newest value is already at the end, so a repeat of it just updates its time:
    // a burst of one value then costs one Map write, not a delete and an insert each time.
    if (value !== this.lastValue) ex.delete(value);
    ex.set(value, ts);
    this.lastValue = value;
    if (this.windowUs !== Infinity) this.expire(ts);
    if (ex.size > this.cap) {
      this.hll = new HyperLogLog();
      for (const v of ex.keys()) this.hll.add(v);
      this.hllStart = ts;
      this.exact = null;
    }
  }

  /**
   * An IPv4 address counted as its dotted text, the form events carry: the text is made only while the
   * counter is exact (up to `cap` values); past it only the text's hash is added to the sketch.
   */
  addIp4(ip: number, ts: number, text: (ip: number) => string): void {
    if (this.hll !== null && !(ts - this.hllStart > this.windowUs)) this.hll.addHash(hash32Ip4(ip));
    else this.add(text(ip), ts);
  }

  private expire(ts: number): void {
    const ex = this.exact!;
    const cutoff = ts - this.windowUs;
    for (const [v, t] of ex) {
      if (t >= cutoff) break;
      ex.delete(v);
    }
  }

  count(): number {
    return this.hll ? this.hll.estimate() : this.exact!.size;
  }

  get approximate(): boolean {
    return this.hll !== null;
  }

  /** Fold another counter's values in (used to carry a key's values into its alert's total). */
  mergeFrom(o: DistinctCounter, ts: number): void {
    if (o.hll) {
      if (!this.hll) {
        this.hll = new HyperLogLog();
        for (const v of this.exact!.keys()) this.hll.add(v);
        this.exact = null;
        this.hllStart = ts;
      }
      this.hll.merge(o.hll);
      return;
    }
    for (const v of o.exact!.keys()) this.add(v, ts);
  }

  /** A few exact values, for evidence. */
  sampleValues(n: number): (string | number)[] {
    const out: (string | number)[] = [];
    if (!this.exact) return out;
    for (const v of this.exact.keys()) {
      if (out.length >= n) break;
      out.push(v);
    }
    return out;
  }

  clear(): void {
    const ex = this.exact;
    if (ex === null) this.exact = new Map();
    else if (ex.size <= 8) {
      // Map.clear() allocates a fresh table; a key reused under a scan holds one or two values, and
      // deleting them in place allocates nothing (entries may be deleted while iterating a Map).
      for (const v of ex.keys()) ex.delete(v);
    } else ex.clear();
    this.hll = null;
  }
}

/** Number of sub-buckets of a sliding window: the window slides in steps of size/BUCKETS. */
export const BUCKETS = 10;

/** A sum (or count) over a sliding window of BUCKETS ring buckets, or over tumbling windows. */
export class WindowSum {
  // A plain array, not a Float64Array: typed arrays are costly to allocate and collect under a key churn.
  private readonly buckets: number[] | null;
  private head = -1;
  private start = -1;
  total = 0;

  constructor(private readonly windowUs: number, sliding: boolean) {
    this.buckets = sliding ? new Array<number>(BUCKETS).fill(0) : null;
  }

  add(ts: number, v: number): void {
    const b = this.buckets;
    if (!b) {
      const start = Math.floor(ts / this.windowUs) * this.windowUs;
      if (start > this.start) {
        this.start = start;
        this.total = 0;
      } else if (start < this.start) {
        return; // older than the current tumbling window: counted nowhere (capture time went back)
      }
      this.total += v;
      return;
    }
    const width = this.windowUs / BUCKETS;
    const idx = Math.floor(ts / width);
    if (idx > this.head) {
      if (this.head < 0 || idx - this.head >= BUCKETS) {
        b.fill(0);
        this.total = 0;
      } else {
        for (let k = this.head + 1; k <= idx; k++) {
          const i = k % BUCKETS;
          this.total -= b[i];
          b[i] = 0;
        }
      }
      this.head = idx;
    } else if (this.head - idx >= BUCKETS) {
      return; // older than the window
    }
    b[idx % BUCKETS] += v;
    this.total += v;
  }

  reset(): void {
    this.buckets?.fill(0);
    this.total = 0;
  }

  /** Forget everything, including the window position (for reuse by another key). */
  clear(): void {
    this.reset();
    this.head = -1;
    this.start = -1;
  }
}
