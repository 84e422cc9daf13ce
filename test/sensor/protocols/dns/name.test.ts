// The DNS name decoder gives exactly dns-packet's results (name and bytes consumed, or an error)
// on real names, compression pointers, non-ASCII labels, and random bytes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import dnsPacket from 'dns-packet';
import { decodeName, decoded } from '../../../../sensor/protocols/dns/name.js';

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
