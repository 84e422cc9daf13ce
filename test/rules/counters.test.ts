// Window counters: the distinct counter's exact mode keeps the values a plain model keeps (re-adds move to the end, expiry walks from the front).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DistinctCounter } from '../../rules/engine/counters.js';

/** The plain model: value -> last seen, re-adds move to the end, expiry walks from the front. */
class Model {
  readonly m = new Map<string | number, number>();
  constructor(private readonly windowUs: number) {}
  add(v: string | number, ts: number): void {
    if (this.m.has(v)) this.m.delete(v);
    this.m.set(v, ts);
    for (const [k, t] of this.m) {
      if (t >= ts - this.windowUs) break;
      this.m.delete(k);
    }
  }
}

describe('DistinctCounter', () => {
  it('holds the same values, in the same order, as a walk on every add', () => {
    const value = fc.constantFrom<string | number>('a', 'b', 'c', 'd', 1, 2, '1', Number.NaN, 0, -0);
    // Time mostly moves forward, sometimes back (merged captures), in steps around the window.
    const step = fc.integer({ min: -30, max: 60 });
    fc.assert(fc.property(fc.array(fc.tuple(value, step), { maxLength: 80 }), fc.boolean(), (ops, clearHalfway) => {
      const d = new DistinctCounter(1000, 50);
      let model = new Model(50);
      let ts = 1000;
      ops.forEach(([v, dt], i) => {
        if (clearHalfway && i === ops.length >> 1) {
          d.clear();
          model = new Model(50);
        }
        ts += dt;
        d.add(v, ts);
        model.add(v, ts);
        expect([...d.exact!.entries()]).toEqual([...model.m.entries()]);
      });
      expect(d.count()).toBe(model.m.size);
    }), { numRuns: 300 });
  });
});
