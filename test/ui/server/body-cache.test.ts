// Kept response bodies: Accept-Encoding read as RFC 9110 says, a bounded number of variants, an age limit.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BodyCache, acceptsGzip, gzipped } from '../../../ui/server/body-cache.js';

describe('acceptsGzip', () => {
  it('takes gzip when listed or covered by *, not with q=0', () => {
    expect(acceptsGzip('gzip, deflate, br, zstd')).toBe(true);
    expect(acceptsGzip('br;q=1.0, gzip;q=0.8')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('x-gzip')).toBe(true);
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip('')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip('br, deflate')).toBe(false);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('gzip;q=0, *')).toBe(false);
    expect(acceptsGzip('*;q=0')).toBe(false);
    expect(acceptsGzip('deflate, *;q=0.1')).toBe(true);
  });
});

describe('BodyCache', () => {
  it('makes a body once until cleared or too old, and keeps at most maxEntries', () => {
    const c = new BodyCache(3);
    let made = 0;
    const make = (s: string) => () => { made++; return s; };
    expect(c.get('a', make('x'.repeat(5000)), 1000, 0).raw.length).toBe(5000);
    c.get('a', make('other'), 1000, 999);
    expect(made).toBe(1);
    expect(c.get('a', make('y'), 1000, 1000).raw.toString()).toBe('y');
    expect(made).toBe(2);
    c.clear();
    c.get('a', make('z'), Infinity, 0);
    expect(made).toBe(3);
    for (const k of ['b', 'c', 'd']) c.get(k, make(k), Infinity, 0);
    // 'a' was made first: the fourth entry pushed it out.
    expect(c.get('a', make('again'), Infinity, 0).raw.toString()).toBe('again');
    expect(c.get('d', make('not made'), Infinity, 0).raw.toString()).toBe('d');
  });

  it('gzips a big body once, and leaves a small one as it is', () => {
    const c = new BodyCache();
    const big = c.get('big', () => JSON.stringify({ rows: Array.from({ length: 200 }, (_, i) => ({ i, text: 'the same words again' })) }));
    const z = gzipped(big);
    expect(z).not.toBeNull();
    expect(gzipped(big)).toBe(z);
    expect(gunzipSync(z!).equals(big.raw)).toBe(true);
    expect(gzipped(c.get('small', () => '{"ok":true}'))).toBeNull();
  });
});
