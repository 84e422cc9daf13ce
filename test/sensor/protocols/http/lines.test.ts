// readHeaders with and without a list of wanted fields, and hexOf's native and fallback paths agreeing.
import { describe, expect, it } from 'vitest';
import { readHeaders } from '../../../../sensor/protocols/http/lines.js';
import { hexOf } from '../../../../sensor/protocols/bytes.js';

const head = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

function fields(b: Uint8Array, only?: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  readHeaders(b, 0, (n, v) => { out.push([n, v]); }, only);
  return out;
}

describe('readHeaders', () => {
  const b = head('Server: Boa/0.94\r\nX-Other:  a \r\nCONTENT-type: text/html\r\nserver: second\r\n\r\nbody');

  it('gives every field, names lower-cased, values trimmed', () => {
    expect(fields(b)).toEqual([['server', 'Boa/0.94'], ['x-other', 'a'], ['content-type', 'text/html'], ['server', 'second']]);
  });

  it('with `only`, gives just the wanted fields in order, matched without regard to case', () => {
    expect(fields(b, ['server', 'content-type'])).toEqual([['server', 'Boa/0.94'], ['content-type', 'text/html'], ['server', 'second']]);
    expect(fields(b, ['user-agent'])).toEqual([]);
  });

  it('stops at a line that is not a header, with or without `only`', () => {
    const bad = head('Host: a\r\nnot a header\r\nUser-Agent: x\r\n\r\n');
    expect(fields(bad)).toEqual([['host', 'a']]);
    expect(fields(bad, ['user-agent'])).toEqual([]);
  });

  it('a name that only starts like a wanted one is not it', () => {
    expect(fields(head('Server-Timing: 1\r\nServe: 2\r\n\r\n'), ['server'])).toEqual([]);
  });
});

describe('hexOf', () => {
  it('matches a byte-by-byte rendering, at any offset, and clamps to the buffer', () => {
    const bytes = new Uint8Array(300).map((_, i) => (i * 37 + 11) & 0xff);
    const slow = (s: number, e: number): string => [...bytes.subarray(s, e)].map((x) => x.toString(16).padStart(2, '0')).join('');
    for (const [s, e] of [[0, 0], [0, 1], [5, 64], [290, 300], [100, 256]]) expect(hexOf(bytes, s, e)).toBe(slow(s, e));
    expect(hexOf(bytes, 290, 400)).toBe(slow(290, 300));
    expect(hexOf(Buffer.from(bytes), 3, 9)).toBe(slow(3, 9));
  });
});
