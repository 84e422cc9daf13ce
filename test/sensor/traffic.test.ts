// Per-device traffic counters: distinct destinations, ports and sources are exact (up to the cap)
// whatever order values come in, across intervals; the recent-values filter must never hide a new value.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DISTINCT_CAP, TrafficCounters } from '../../sensor/traffic.js';
import type { TrafficEvent } from '../../sensor/events.js';

describe('TrafficCounters distinct counts', () => {
  it('equal a plain Set per interval for any sequence of values (slot collisions and repeats included)', () => {
    // Values from a small pool that collide in the filter's slots (same low bits), plus random ones.
    const value = fc.oneof(fc.integer({ min: 0, max: 7 }).map((k) => k * 4096 + 3), fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0, 16, 32, 0xc0a80001));
    fc.assert(fc.property(fc.array(fc.array(fc.tuple(value, value, value), { maxLength: 200 }), { minLength: 1, maxLength: 4 }), (intervals) => {
      const out: TrafficEvent[] = [];
      const tc = new TrafficCounters((e) => out.push(e), () => 'aa:bb:cc:dd:ee:ff', 1_000_000);
      const want: [number, number, number][] = [];
      intervals.forEach((packets, n) => {
        tc.advance(n * 1_000_000);
        const dst = new Set<number>(); const port = new Set<number>(); const src = new Set<number>();
        for (const [d, p, s] of packets) {
          const c = tc.get(1, 1)!;
          c.out_pkts++;
          c.addOutDst(d); c.addOutDport(p); c.addInSrc(s);
          dst.add(d); port.add(p); src.add(s);
        }
        if (packets.length > 0) want.push([Math.min(dst.size, DISTINCT_CAP), Math.min(port.size, DISTINCT_CAP), Math.min(src.size, DISTINCT_CAP)]);
      });
      tc.flush();
      const got = out.map((e) => [e.out_distinct_dst, e.out_distinct_dport, e.in_distinct_src]);
      expect(got).toEqual(want);
    }), { numRuns: 500 });
  });
});
