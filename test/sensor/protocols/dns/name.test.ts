// The DNS name decoder gives exactly dns-packet's results (name and bytes consumed, or an error)
// on real names, compression pointers, non-ASCII labels, and random bytes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import dnsPacket from 'dns-packet';
import { decodeName, decodeNameText, decoded } from '../../../../sensor/protocols/dns/name.js';
import { cleanText } from '../../../../sensor/protocols/bytes.js';

const reference = (dnsPacket as unknown as { name: { decode: ((b: Buffer, o: number) => string) & { bytes: number } } }).name;

function both(buf: Buffer, off: number): { ours: unknown; theirs: unknown } {
  let ours: unknown;
  let theirs: unknown;
  try { ours = [decodeName(buf, off), decoded.bytes]; } catch (e) { ours = `error: ${(e as Error).message}`; }
  try { theirs = [reference.decode(buf, off), reference.decode.bytes]; } catch (e) { theirs = `error: ${(e as Error).message}`; }
  return { ours, theirs };
}

describe('decodeName', () => {
  it('decodes labels, the root, pointers and UTF-8 labels like dns-packet', () => {
    const msg = Buffer.concat([
      Buffer.from([7]), Buffer.from('example'), Buffer.from([3]), Buffer.from('com'), Buffer.from([0]), // 0: example.com
      Buffer.from([3]), Buffer.from('www'), Buffer.from([0xc0, 0x00]),                                   // 13: www + pointer to 0
      Buffer.from([0]),                                                                                   // 19: root
      Buffer.from([5]), Buffer.from('café', 'utf8'), Buffer.from([0xc0, 0x08]),                          // 20: café + pointer to com
    ]);
    expect(decodeName(msg, 0)).toBe('example.com');
    expect(decoded.bytes).toBe(13);
    expect(decodeName(msg, 13)).toBe('www.example.com');
    expect(decoded.bytes).toBe(6);
    expect(decodeName(msg, 19)).toBe('.');
    expect(decodeName(msg, 20)).toBe('café.com');
    for (const off of [0, 13, 19, 20]) {
      const { ours, theirs } = both(msg, off);
      expect(ours).toEqual(theirs);
    }
  });

  it('refuses forward pointers, loops and overlong names', () => {
    expect(() => decodeName(Buffer.from([0xc0, 0x00]), 0)).toThrow(/bad pointer/);
    expect(() => decodeName(Buffer.from([0xc0, 0x05, 0, 0, 0, 0]), 0)).toThrow(/bad pointer/);
    const long = Buffer.concat([...Array(5)].map(() => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)])));
    expect(() => decodeName(Buffer.concat([long, Buffer.from([0])]), 0)).toThrow(/too long/);
    expect(() => decodeName(Buffer.from([0x80]), 0)).toThrow(/bad label/);
  });

  it('agrees with dns-packet on random bytes at every offset', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 80 }), (bytes) => {
      const buf = Buffer.from(bytes);
      for (let off = 0; off < buf.length; off++) {
        const { ours, theirs } = both(buf, off);
        if (JSON.stringify(ours) !== JSON.stringify(theirs)) return false;
      }
      return true;
    }), { numRuns: 3000 });
  });
});

describe('decodeNameText', () => {
  function pair(buf: Buffer, off: number, max: number): { fast: unknown; slow: unknown } {
    let fast: unknown;
    let slow: unknown;
    try { fast = [decodeNameText(buf, off, max), decoded.bytes]; } catch (e) { fast = `error: ${(e as Error).message}`; }
    try { slow = [cleanText(decodeName(buf, off), max), decoded.bytes]; } catch (e) { slow = `error: ${(e as Error).message}`; }
    return { fast, slow };
  }

  it('drops control characters and cuts to the limit, like cleanText(decodeName())', () => {
    const msg = Buffer.concat([
      Buffer.from([5]), Buffer.from('a\u0001b\u007fc'), Buffer.from([3]), Buffer.from('com'), Buffer.from([0]), // 0
      Buffer.from([4]), Buffer.from('\u0000\u0000\u0000\u0000'), Buffer.from([0]),                               // 11: only control bytes
      Buffer.from([6]), Buffer.from('caf\u00e9\u0085', 'utf8').subarray(0, 6), Buffer.from([0]),                  // 17: non-ASCII with C1 control
    ]);
    expect(decodeNameText(msg, 0, 255)).toBe('abc.com');
    expect(decoded.bytes).toBe(11);
    expect(decodeNameText(msg, 0, 4)).toBe('abc.');
    expect(decodeNameText(msg, 11, 255)).toBe('');
    for (const [off, max] of [[0, 255], [0, 4], [11, 255], [17, 255], [17, 3]]) {
      const { fast, slow } = pair(msg, off, max);
      expect(fast).toEqual(slow);
    }
  });

  it('agrees with cleanText(decodeName()) on random bytes at every offset, errors included', () => {
    // Mostly ASCII with small length bytes and pointers, so the fast path is taken, not only the fallback.
    const byte = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0, max: 6 }), fc.constantFrom(0xc0, 0xc0, 0x80, 0xe9));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 80 }), fc.array(byte, { minLength: 1, maxLength: 80 })), fc.integer({ min: 0, max: 70 }), (bytes, max) => {
      const buf = Buffer.from(bytes);
      for (let off = 0; off < buf.length; off++) {
        const { fast, slow } = pair(buf, off, max);
        if (JSON.stringify(fast) !== JSON.stringify(slow)) return false;
      }
      return true;
    }), { numRuns: 3000 });
  });
});
