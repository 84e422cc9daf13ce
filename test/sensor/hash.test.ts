// hash52: a safe integer, deterministic, and no collisions among many similar keys (what the
// inventory's seen-observation sets rely on).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hash52 } from '../../sensor/hash.js';

describe('hash52', () => {
  it('is a non-negative safe integer below 2^52 and depends on every character', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), fc.nat(299), fc.integer({ min: 1, max: 0xffff }), (s, at, delta) => {
      const h = hash52(s);
      if (!Number.isSafeInteger(h) || h < 0 || h >= 2 ** 52 || hash52(s) !== h) return false;
      if (s.length === 0) return true;
      const i = at % s.length;
      const t = s.slice(0, i) + String.fromCharCode((s.charCodeAt(i) + delta) % 0x10000) + s.slice(i + 1);
      return t === s || hash52(t) !== h;
    }), { numRuns: 5000 });
  });

  it('gives 200,000 near-identical observation keys 200,000 different values', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200_000; i++) seen.add(hash52(`dns\u0001domain=device-${i}.cloud.example.com`));
    expect(seen.size).toBe(200_000);
  });
});
