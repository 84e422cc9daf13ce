// Tunnel unwrapping (GRE, ERSPAN I/II/III, GRE-TEB, VXLAN, PPTP's PPP, IP-in-IP): synthetic annotated
// frames, the real tunnel captures compared with tshark, bounded depth, and never a throw.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openCaptureFile } from '../../../sensor/capture/file.js';
import { decodeFrame } from '../../../sensor/decode/dispatch.js';
import { ipv4ToString, ipv6ToString, macToString } from '../../../sensor/decode/format.js';
import {
  DECODE_MALFORMED, DECODE_OK, DECODE_UNSUPPORTED, IPPROTO_GRE, IPPROTO_TCP, IPPROTO_UDP, Packet, TCP_SYN,
  TUNNEL_ERSPAN, TUNNEL_GRE, TUNNEL_IPIP, TUNNEL_VXLAN,
} from '../../../sensor/decode/packet.js';
import { MAX_TUNNEL_DEPTH, type KeepWrapped } from '../../../sensor/decode/tunnel.js';
import { concat } from '../../gen/packets.js';
import { GRE_PROTO, wrapErspanII, wrapErspanIII, wrapGre, wrapGreTeb, wrapIpv4, wrapVxlan } from '../../gen/tunnel.js';
import { describeShared, pcap } from '../../helpers/shared.js';
import { ERSPAN_I, ERSPAN_II, ERSPAN_III, GRE_TEB, hex, INNER, VXLAN } from './fixtures/tunnel-frames.js';

function decode(bytes: Uint8Array, keep: KeepWrapped | null = null, maxDepth?: number, linktype = 1): { r: number; p: Packet } {
  const p = new Packet();
  p.reset();
  p.data = bytes;
  return { r: decodeFrame(bytes, linktype, p, keep, maxDepth), p };
}

/** The inner SYN of fixtures/tunnel-frames.ts, as every downstream consumer must see it. */
function expectInnerSyn(p: Packet, withMacs = true): void {
  expect(p.srcMac === -1 ? null : macToString(p.srcMac)).toBe(withMacs ? 'f4:ec:38:11:22:33' : null);
  expect(p.dstMac === -1 ? null : macToString(p.dstMac)).toBe(withMacs ? '00:12:12:aa:bb:cc' : null);
  expect(p.ipVersion).toBe(4);
  expect(ipv4ToString(p.ip4Src)).toBe('203.0.113.66');
  expect(ipv4ToString(p.ip4Dst)).toBe('192.168.1.20');
  expect(p.ttl).toBe(52);
  expect(p.ipProto).toBe(IPPROTO_TCP);
  expect([p.srcPort, p.dstPort, p.tcpFlags, p.seq, p.window]).toEqual([40000, 80, TCP_SYN, 1, 29200]);
  expect(p.payloadLen).toBe(0);
  // The outer frame's VLAN and fragment state must not leak into the inner packet.
  expect(p.vlan).toBe(-1);
  expect(p.fragment).toBe(false);
}

describe('tunnels: synthetic frames, byte by byte from the specs', () => {
  const cases: [string, Uint8Array, number][] = [
    ['ERSPAN type II', ERSPAN_II, TUNNEL_GRE | TUNNEL_ERSPAN],
    ['ERSPAN type III with platform sub-header', ERSPAN_III, TUNNEL_GRE | TUNNEL_ERSPAN],
    ['ERSPAN type I (no ERSPAN header)', ERSPAN_I, TUNNEL_GRE | TUNNEL_ERSPAN],
    ['GRE Transparent Ethernet Bridging with a key', GRE_TEB, TUNNEL_GRE],
    ['VXLAN', VXLAN, TUNNEL_VXLAN],
  ];
  for (const [name, frame, kinds] of cases) {
    it(`${name}: downstream sees the mirrored frame`, () => {
      const { r, p } = decode(frame);
      expect(r).toBe(DECODE_OK);
      expectInnerSyn(p);
      expect(p.tunnelDepth).toBe(1);
      expect(p.tunnelKinds).toBe(kinds);
      expect(p.tunnelTooDeep).toBe(false);
      // The outer addresses stay reachable: the outermost IPv4 header right after the outer Ethernet.
      expect(p.outerL3Off).toBe(14);
      expect(ipv4ToString(new DataView(frame.buffer, frame.byteOffset).getUint32(p.outerL3Off + 12))).toBe('10.255.0.1');
      // Offsets point into the captured frame itself: nothing was copied.
      expect(p.data).toBe(frame);
      expect(p.l3Off).toBe(frame.length - INNER.length + 14);
    });
  }

  it('ERSPAN type III FT=2 carries a bare IP packet: no MACs', () => {
    const { r, p } = decode(wrapErspanIII(INNER.subarray(14), { ft: 2 }));
    expect(r).toBe(DECODE_OK);
    expectInnerSyn(p, false);
  });

  it('GRE (checksum, key, sequence) carrying IPv4, and carrying IPv6', () => {
    const { r, p } = decode(wrapGre(INNER.subarray(14), GRE_PROTO.IPV4, { checksum: true, key: 7, seq: 9 }));
    expect(r).toBe(DECODE_OK);
    expectInnerSyn(p, false);
    expect(p.tunnelKinds).toBe(TUNNEL_GRE);
    const v6 = hex(`
      60 00 00 00  0008 11 40                         # IPv6, payload 8, UDP, hop limit 64
      20010db8000000000000000000000001                # src 2001:db8::1
      20010db8000000000000000000000002                # dst 2001:db8::2
      3039 0035 0008 0000                             # UDP 12345 -> 53, length 8
    `);
    const six = decode(wrapGre(v6, GRE_PROTO.IPV6));
    expect(six.r).toBe(DECODE_OK);
    expect(six.p.ipVersion).toBe(6);
    expect(ipv6ToString(six.p.data, six.p.ip6SrcOff)).toBe('2001:db8::1');
    expect([six.p.ipProto, six.p.dstPort]).toEqual([IPPROTO_UDP, 53]);
  });

  it('PPTP enhanced GRE (RFC 2637): PPP IPv4 unwrapped in full and compressed form; encrypted PPP stays GRE', () => {
    const ip4 = Buffer.from(INNER.subarray(14)).toString('hex');
    // Enhanced GRE: K and S and A, version 1, protocol PPP; payload length, call id, sequence, ack.
    const build = (ppp: string) => wrapIpv4(IPPROTO_GRE, hex(`
      30 81 88 0b             # K, S | A, version 1, protocol PPP (0x880B)
      0000 1234               # payload length (not checked), call id
      00000001 00000002       # sequence number, acknowledgment number
      ${ppp}
    `));
    for (const ppp of [`ff 03 0021 ${ip4}`, `0021 ${ip4}`, `21 ${ip4}`]) {
      const { r, p } = decode(build(ppp));
      expect(r).toBe(DECODE_OK);
      expectInnerSyn(p, false);
      expect(p.tunnelKinds).toBe(TUNNEL_GRE);
    }
    const mppe = decode(build('ff 03 00fd 90 00 12 34 56'));
    expect(mppe.r).toBe(DECODE_OK);
    expect(mppe.p.tunnelDepth).toBe(0);
    expect(mppe.p.ipProto).toBe(IPPROTO_GRE);
  });

  it('leaves what it does not unwrap as the outer packet', () => {
    const outer = (b: Uint8Array) => {
      const { r, p } = decode(b);
      expect(r).toBe(DECODE_OK);
      expect(p.tunnelDepth).toBe(0);
      expect(ipv4ToString(p.ip4Src)).toBe('10.255.0.1');
      return p;
    };
    // GRE keepalive/unknown protocol type, RFC 1701 routing bit, ERSPAN with an unknown version.
    expect(outer(wrapGre(INNER, 0x88b5)).ipProto).toBe(IPPROTO_GRE);
    const routed = wrapGreTeb(INNER);
    routed[14 + 20] |= 0x40;
    expect(outer(routed).ipProto).toBe(IPPROTO_GRE);
    const badVer = ERSPAN_II.slice();
    badVer[14 + 20 + 8] = 0x30; // Ver 3
    expect(outer(badVer).ipProto).toBe(IPPROTO_GRE);
    // VXLAN without the I flag (RFC 7348 5: MUST be set) and VXLAN-looking data on another port.
    const noI = VXLAN.slice();
    noI[14 + 20 + 8] = 0x00;
    expect(outer(noI).dstPort).toBe(4789);
    expect(outer(wrapVxlan(INNER, { dstPort: 8472 })).dstPort).toBe(8472);
  });

  it('a broken inner frame is counted malformed, an inner EtherType we do not decode unsupported', () => {
    expect(decode(wrapGreTeb(INNER.subarray(0, 10))).r).toBe(DECODE_MALFORMED);
    expect(decode(wrapGre(INNER.subarray(14, 30), GRE_PROTO.IPV4)).r).toBe(DECODE_MALFORMED);
    const lldp = INNER.slice(0, 30);
    lldp[12] = 0x88;
    lldp[13] = 0xcc;
    expect(decode(wrapErspanII(lldp)).r).toBe(DECODE_UNSUPPORTED);
  });

  it(`unwraps at most ${MAX_TUNNEL_DEPTH} encapsulations, counts deeper ones and leaves them wrapped`, () => {
    // ERSPAN II in VXLAN in GRE-TEB in ERSPAN III in GRE-TEB in VXLAN: six layers.
    const layers = [wrapErspanII, wrapVxlan, wrapGreTeb, wrapErspanIII, wrapGreTeb, wrapVxlan];
    let frame = INNER;
    for (const wrap of layers) frame = wrap(frame);
    const { r, p } = decode(frame);
    expect(r).toBe(DECODE_OK);
    expect(p.tunnelDepth).toBe(MAX_TUNNEL_DEPTH);
    expect(p.tunnelTooDeep).toBe(true);
    expect(p.ipProto).toBe(IPPROTO_UDP); // the fifth layer, VXLAN, stays as it is
    // Exactly four layers: unwrapped to the end.
    let four = INNER;
    for (const wrap of layers.slice(0, 4)) four = wrap(four);
    const d4 = decode(four);
    expect(d4.p.tunnelDepth).toBe(4);
    expect(d4.p.tunnelTooDeep).toBe(false);
    expectInnerSyn(d4.p);
    expect(d4.p.tunnelKinds).toBe(TUNNEL_GRE | TUNNEL_ERSPAN | TUNNEL_VXLAN);
    // The depth is a parameter: 0 unwraps nothing.
    const d0 = decode(ERSPAN_II, null, 0);
    expect([d0.p.tunnelDepth, d0.p.tunnelTooDeep, d0.p.ipProto]).toEqual([0, true, IPPROTO_GRE]);
  });

  it('asks keepWrapped with the carrier\'s own addresses, at each layer, and keeps what it says', () => {
    const seen: string[] = [];
    const keepHomeToInternet: KeepWrapped = (p) => {
      seen.push(`${ipv4ToString(p.ip4Src)}>${ipv4ToString(p.ip4Dst)}`);
      return p.ip4Src >>> 16 === 0xc0a8 && p.ip4Dst >>> 16 !== 0xc0a8;
    };
    // A camera's GRE flood (Mirai attack_gre_ip: GRE carrying IPv4/UDP) seen through an ERSPAN mirror.
    const flood = wrapGre(INNER.subarray(14), GRE_PROTO.IPV4, { src: '192.168.1.20', dst: '198.51.100.9', srcMac: 'f4:ec:38:11:22:33', dstMac: '00:12:12:aa:bb:cc' });
    const { r, p } = decode(wrapErspanII(flood), keepHomeToInternet);
    expect(r).toBe(DECODE_OK);
    expect(seen).toEqual(['10.255.0.1>10.255.0.2', '192.168.1.20>198.51.100.9']);
    expect(p.tunnelDepth).toBe(1);
    expect(p.ipProto).toBe(IPPROTO_GRE);
    expect(ipv4ToString(p.ip4Src)).toBe('192.168.1.20');
    expect(macToString(p.srcMac)).toBe('f4:ec:38:11:22:33');
  });
});

interface Expected {
  frame: number; protocols: string; ip_headers_outside: number; src_mac: string | null; dst_mac: string | null;
  src_ip: string; dst_ip: string; transport: string; src_port: number | null; dst_port: number | null;
}
const FIXTURE = JSON.parse(readFileSync(new URL('./fixtures/tunnels.json', import.meta.url), 'utf8')) as
  { captures: Record<string, { filter: string | null; frames: Expected[] }> };

describeShared('tunnels in real captures: the innermost packet agrees with tshark (fixtures/tunnels.json)', () => {
  for (const [cap, { filter, frames: expected }] of Object.entries(FIXTURE.captures)) {
    it(`${cap}${filter === null ? '' : ` (frames matching ${filter})`}`, async () => {
      const byFrame = new Map(expected.map((e) => [e.frame, e]));
      const got: Expected[] = [];
      const unwrapped: number[] = [];
      const p = new Packet();
      let n = 0;
      for await (const batch of openCaptureFile(pcap(cap))) {
        for (const f of batch) {
          n++;
          p.reset();
          p.data = f.data;
          const r = decodeFrame(f.data, f.linktype, p);
          if (p.tunnelDepth > 0) unwrapped.push(n);
          const e = byFrame.get(n);
          if (e === undefined) continue;
          expect(r, `frame ${n}`).toBe(DECODE_OK);
          const v4 = p.ipVersion === 4;
          const tr = p.ipProto === 6 ? 'tcp' : p.ipProto === 17 ? 'udp' : p.ipProto === 1 ? 'icmp' : p.ipProto === 58 ? 'icmpv6' : 'other';
          got.push({
            frame: n, protocols: e.protocols, ip_headers_outside: p.tunnelDepth,
            src_mac: p.srcMac < 0 ? null : macToString(p.srcMac), dst_mac: p.dstMac < 0 ? null : macToString(p.dstMac),
            src_ip: v4 ? ipv4ToString(p.ip4Src) : ipv6ToString(p.data, p.ip6SrcOff),
            dst_ip: v4 ? ipv4ToString(p.ip4Dst) : ipv6ToString(p.data, p.ip6DstOff),
            transport: tr,
            src_port: tr === 'tcp' || tr === 'udp' ? p.srcPort : null, dst_port: tr === 'tcp' || tr === 'udp' ? p.dstPort : null,
          });
        }
      }
      expect(got).toEqual(expected);
      // Exactly the frames tshark shows tunneled are unwrapped, no other frame of the capture.
      expect(unwrapped).toEqual(expected.filter((e) => e.ip_headers_outside > 0).map((e) => e.frame));
      expect(unwrapped.length).toBe(expected.length);
    });
  }
});

describe('tunnel decoding never throws', () => {
  const frames = [ERSPAN_I, ERSPAN_II, ERSPAN_III, GRE_TEB, VXLAN,
    wrapVxlan(wrapErspanIII(wrapGreTeb(wrapErspanII(INNER)))), wrapErspanIII(INNER.subarray(14), { ft: 2 })];
  const ok = [DECODE_OK, DECODE_MALFORMED, DECODE_UNSUPPORTED];

  it('on every truncation of every tunnel frame', () => {
    for (const f of frames) {
      for (let n = 0; n <= f.length; n++) expect(ok).toContain(decode(f.subarray(0, n)).r);
    }
  });

  it('on random bytes after a tunnel header', () => {
    // The outer headers up to and including each tunnel header, then anything.
    const prefixes = [ERSPAN_I.subarray(0, 38), ERSPAN_II.subarray(0, 50), ERSPAN_III.subarray(0, 54 + 8), GRE_TEB.subarray(0, 42), VXLAN.subarray(0, 50),
      ERSPAN_II.subarray(0, 42), ERSPAN_III.subarray(0, 42)];
    fc.assert(fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 300 }), (pre, tail) => {
      const { r, p } = decode(concat(pre, tail));
      expect(ok).toContain(r);
      expect(p.tunnelDepth).toBeLessThanOrEqual(MAX_TUNNEL_DEPTH);
    }), { numRuns: 3000 });
  });

  it('on random corruption of the tunnel frames', () => {
    fc.assert(fc.property(fc.constantFrom(...frames), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 8 }), (f, edits) => {
      const b = f.slice();
      for (const [i, v] of edits) b[i % b.length] = v;
      expect(ok).toContain(decode(b).r);
    }), { numRuns: 3000 });
  });
});
