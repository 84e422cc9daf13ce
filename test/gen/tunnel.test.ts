// The tunnel wrappers build exactly the annotated spec bytes of the decoder's fixtures, with valid
// outer lengths and checksums, and the decoder unwraps whatever they build.
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../sensor/decode/dispatch.js';
import { ipv4ToString, macToString } from '../../sensor/decode/format.js';
import { DECODE_OK, Packet } from '../../sensor/decode/packet.js';
import { ERSPAN_I, ERSPAN_II, ERSPAN_III, GRE_TEB, hex, INNER, VXLAN } from '../sensor/decode/fixtures/tunnel-frames.js';
import { GRE_PROTO, wrapErspanI, wrapErspanII, wrapErspanIII, wrapGre, wrapGreTeb, wrapVxlan } from './tunnel.js';

function sum16(b: Uint8Array, off: number, len: number): number {
  let s = 0;
  for (let i = 0; i + 1 < len; i += 2) s += (b[off + i]! << 8) | b[off + i + 1]!;
  if (len & 1) s += b[off + len - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

describe('test/gen/tunnel.ts', () => {
  it('builds the annotated ERSPAN I/II/III, GRE-TEB and VXLAN frames byte for byte', () => {
    expect(wrapErspanI(INNER)).toEqual(ERSPAN_I);
    expect(wrapErspanII(INNER)).toEqual(ERSPAN_II);
    expect(wrapErspanIII(INNER, { subheader: hex('0c000005 00000000') })).toEqual(ERSPAN_III);
    expect(wrapGreTeb(INNER, { key: 42 })).toEqual(GRE_TEB);
    expect(wrapVxlan(INNER)).toEqual(VXLAN);
  });

  it('writes correct outer lengths and IPv4 header checksums, and a GRE checksum when asked', () => {
    for (const f of [wrapErspanII(INNER, { vlan: 7, sessionId: 1023, index: 0xfffff }), wrapErspanIII(INNER, { timestamp: 0xffffffff, sgt: 9 }),
      wrapGreTeb(INNER, { checksum: true, key: 1, seq: 2 }), wrapVxlan(INNER, { vni: 0xffffff }), wrapGre(INNER.subarray(14), GRE_PROTO.IPV4)]) {
      expect(sum16(f, 14, 20)).toBe(0xffff);
      expect((f[16]! << 8) | f[17]!).toBe(f.length - 14);
    }
    const csum = wrapGreTeb(INNER, { checksum: true, key: 1, seq: 2 });
    expect(csum[34]! & 0x80).toBe(0x80);
    expect(sum16(csum, 34, csum.length - 34)).toBe(0xffff); // RFC 2784 2.5: over GRE header and payload
    const vx = wrapVxlan(INNER, { srcPort: 50000 });
    expect((vx[38]! << 8) | vx[39]!).toBe(vx.length - 34); // UDP length
  });

  it('places the outer addresses it is given, and the decoder unwraps every wrapper to the inner frame', () => {
    const opts = { src: '192.0.2.1', dst: '192.0.2.2', srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02' };
    for (const f of [wrapErspanI(INNER, opts), wrapErspanII(INNER, opts), wrapErspanIII(INNER, opts), wrapGreTeb(INNER, opts), wrapVxlan(INNER, opts)]) {
      expect(Buffer.from(f.subarray(6, 12)).toString('hex')).toBe('020000000001');
      expect(ipv4ToString(new DataView(f.buffer).getUint32(26))).toBe('192.0.2.1');
      const p = new Packet();
      p.reset();
      p.data = f;
      expect(decodeFrame(f, 1, p)).toBe(DECODE_OK);
      expect(p.tunnelDepth).toBe(1);
      expect(macToString(p.dstMac)).toBe('00:12:12:aa:bb:cc');
      expect(ipv4ToString(p.ip4Dst)).toBe('192.168.1.20');
    }
  });

  it('refuses an ERSPAN III sub-header that is not 8 octets', () => {
    expect(() => wrapErspanIII(INNER, { subheader: new Uint8Array(4) })).toThrow(/8 octets/);
  });
});
