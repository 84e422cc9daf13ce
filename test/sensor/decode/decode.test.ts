// Layer decoders on annotated byte fixtures, and the never-throw property on random and truncated input.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeFrame } from '../../../sensor/decode/dispatch.js';
import { ipv4ToString, ipv6ToString, macToString, isLocallyAdministered, isGroupMac } from '../../../sensor/decode/format.js';
import { DECODE_MALFORMED, DECODE_OK, DECODE_UNSUPPORTED, Packet, TCP_SYN } from '../../../sensor/decode/packet.js';
import { parseNdp } from '../../../sensor/decode/ndp.js';
import { tcpOptionKinds } from '../../../sensor/decode/tcp.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/#.*$/gm, '').replace(/\s+/g, ''), 'hex'));

// Ethernet + IPv4 + TCP SYN, as Mirai's scanner sends it: seq = destination address, no options.
const MIRAI_SYN = hex(`
  ffeeddccbbaa          # dst MAC
  b827ebc7e9c9          # src MAC (Raspberry Pi OUI)
  0800                  # EtherType IPv4
  45 00 0028            # v4, IHL 5, TOS 0, total length 40
  1234 0000             # id, no fragment
  40 06 0000            # TTL 64, TCP, checksum (not checked)
  c0a80210              # src 192.168.2.16
  29020304              # dst 41.2.3.4
  d431 0017             # sport 54321, dport 23
  29020304              # seq = 0x29020304 = dst address
  00000000              # ack
  50 02 3908            # data offset 5, SYN, window 14600
  0000 0000             # checksum, urgent
  000000000000          # Ethernet padding to 60 bytes: must not become payload
`);

function decode(bytes: Uint8Array, linktype = 1): { r: number; p: Packet } {
  const p = new Packet();
  p.reset();
  p.data = bytes;
  return { r: decodeFrame(bytes, linktype, p), p };
}

describe('ethernet/ipv4/tcp', () => {
  it('decodes a Mirai scanner SYN', () => {
    const { r, p } = decode(MIRAI_SYN);
    expect(r).toBe(DECODE_OK);
    expect(macToString(p.srcMac)).toBe('b8:27:eb:c7:e9:c9');
    expect(macToString(p.dstMac)).toBe('ff:ee:dd:cc:bb:aa');
    expect(ipv4ToString(p.ip4Src)).toBe('192.168.2.16');
    expect(ipv4ToString(p.ip4Dst)).toBe('41.2.3.4');
    expect(p.ttl).toBe(64);
    expect(p.srcPort).toBe(54321);
    expect(p.dstPort).toBe(23);
    expect(p.tcpFlags).toBe(TCP_SYN);
    expect(p.seq).toBe(p.ip4Dst);
    expect(p.window).toBe(14600);
    expect(p.tcpOptLen).toBe(0);
    // The 6 padding bytes lie beyond the IPv4 total length.
    expect(p.payloadLen).toBe(0);
  });

  it('strips 802.1Q and QinQ tags', () => {
    const tagged = hex(`ffeeddccbbaa b827ebc7e9c9 88a8 0064 8100 00c8 0800`) ;
    const frame = new Uint8Array(tagged.length + 40);
    frame.set(tagged);
    frame.set(MIRAI_SYN.subarray(14, 54), tagged.length);
    const { r, p } = decode(frame);
    expect(r).toBe(DECODE_OK);
    expect(p.vlan).toBe(100);
    expect(p.vlanDepth).toBe(2);
    expect(p.dstPort).toBe(23);
  });

  it('reports truncation as malformed, 802.3 frames as unsupported', () => {
    expect(decode(MIRAI_SYN.subarray(0, 30)).r).toBe(DECODE_MALFORMED);
    expect(decode(MIRAI_SYN.subarray(0, 40)).r).toBe(DECODE_MALFORMED);
    const llc = MIRAI_SYN.slice();
    llc[12] = 0x00; llc[13] = 0x26; // length 38: an 802.3/LLC frame
    expect(decode(llc).r).toBe(DECODE_UNSUPPORTED);
    expect(decode(MIRAI_SYN, 999).r).toBe(DECODE_UNSUPPORTED);
  });

  it('rejects an IPv4 header length beyond the total length', () => {
    const bad = MIRAI_SYN.slice();
    bad[16] = 0; bad[17] = 10; // total length 10 < IHL 20
    expect(decode(bad).r).toBe(DECODE_MALFORMED);
  });

  it('keeps transport unset for non-first fragments and counts first fragments', () => {
    const frag = MIRAI_SYN.slice();
    frag[20] = 0x00; frag[21] = 0x10; // fragment offset 16 * 8 bytes
    const { r, p } = decode(frag);
    expect(r).toBe(DECODE_OK);
    expect(p.fragment).toBe(true);
    expect(p.l4Off).toBe(-1);
    const first = MIRAI_SYN.slice();
    first[20] = 0x20; // MF set, offset 0
    const d = decode(first);
    expect(d.p.fragmentFirst).toBe(true);
    expect(d.p.dstPort).toBe(23);
  });

  it('lists TCP option kinds in order', () => {
    // MSS(2,4) SACK-permitted(4,2) timestamps(8,10) NOP window-scale(3,3)
    const opts = hex('020405b4 0402 080a0000000000000000 01 030307');
    expect(tcpOptionKinds(opts, 0, opts.length, opts.length)).toEqual([2, 4, 8, 1, 3]);
  });
});

describe('raw IP, SLL, ARP, IPv6', () => {
  it('decodes LINKTYPE_RAW', () => {
    const { r, p } = decode(MIRAI_SYN.subarray(14, 54), 101);
    expect(r).toBe(DECODE_OK);
    expect(p.srcMac).toBe(-1);
    expect(p.dstPort).toBe(23);
  });

  it('decodes Linux cooked SLL with the source MAC', () => {
    const sll = hex(`0004 0001 0006 b827ebc7e9c9 0000 0800`);
    const frame = new Uint8Array(16 + 40);
    frame.set(sll);
    frame.set(MIRAI_SYN.subarray(14, 54), 16);
    const { r, p } = decode(frame, 113);
    expect(r).toBe(DECODE_OK);
    expect(macToString(p.srcMac)).toBe('b8:27:eb:c7:e9:c9');
    expect(p.srcPort).toBe(54321);
  });

  it('decodes an ARP reply', () => {
    const arp = hex(`
      b827ebc7e9c9 001122334455 0806
      0001 0800 06 04 0002        # Ethernet/IPv4, reply
      001122334455 c0a80201       # sender 00:11:22:33:44:55 192.168.2.1
      b827ebc7e9c9 c0a80210       # target
    `);
    const { r, p } = decode(arp);
    expect(r).toBe(DECODE_OK);
    expect(p.arpOp).toBe(2);
    expect(macToString(p.arpSha)).toBe('00:11:22:33:44:55');
    expect(ipv4ToString(p.arpTpa)).toBe('192.168.2.16');
  });

  it('walks IPv6 extension headers to UDP', () => {
    const v6 = hex(`
      333300000001 b827ebc7e9c9 86dd
      60000000 0018 00 ff            # payload 24, next header hop-by-hop, hop limit 255
      fe800000000000000000000000000001
      ff020000000000000000000000000001
      11 00 0000 00000000            # hop-by-hop: next UDP, length 0 (8 bytes), padding
      14e9 14e9 0010 0000            # UDP 5353 -> 5353, length 16
      0000000000000000               # 8 payload bytes
    `);
    const { r, p } = decode(v6);
    expect(r).toBe(DECODE_OK);
    expect(p.ipVersion).toBe(6);
    expect(p.ipProto).toBe(17);
    expect(p.dstPort).toBe(5353);
    expect(p.payloadLen).toBe(8);
    expect(ipv6ToString(p.data, p.ip6SrcOff)).toBe('fe80::1');
    expect(ipv6ToString(p.data, p.ip6DstOff)).toBe('ff02::1');
  });

  it('parses an NDP neighbor advertisement with a target link-layer option', () => {
    const na = hex(`
      88 00 0000 a0000000                      # NA, router + solicited flags
      fe800000000000000000000000000042         # target
      02 01 b827ebc7e9c9                       # target link-layer address option
    `);
    const n = parseNdp(na, 0, na.length)!;
    expect(n.kind).toBe('neighbor_advert');
    expect(n.router).toBe(true);
    expect(ipv6ToString(na, n.targetOff)).toBe('fe80::42');
    expect(macToString(n.lladdr)).toBe('b8:27:eb:c7:e9:c9');
    expect(parseNdp(na, 0, 10)).toBeNull();
  });
});

describe('address text', () => {
  it('formats IPv6 per RFC 5952', () => {
    const b = hex('20010db8000000000001000000000001');
    expect(ipv6ToString(b, 0)).toBe('2001:db8::1:0:0:1');
    expect(ipv6ToString(hex('00000000000000000000ffffc0a80001'), 0)).toBe('::ffff:192.168.0.1');
    expect(ipv6ToString(new Uint8Array(16), 0)).toBe('::');
    expect(ipv6ToString(hex('20010db8000100000001000100010001'), 0)).toBe('2001:db8:1:0:1:1:1:1');
  });
  it('recognises private and group MACs', () => {
    expect(isLocallyAdministered(0x02_00_00_00_00_01)).toBe(true);
    expect(isLocallyAdministered(0xb8_27_eb_c7_e9_c9)).toBe(false);
    expect(isGroupMac(0xff_ff_ff_ff_ff_ff)).toBe(true);
    expect(isGroupMac(0x01_00_5e_00_00_fb)).toBe(true);
    expect(isGroupMac(0x00_11_22_33_44_55)).toBe(false);
  });
});

describe('never throws', () => {
  const linktypes = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147];
  it('on random bytes for every link type', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...linktypes), (bytes, lt) => {
      const { r } = decode(bytes, lt);
      return r === DECODE_OK || r === DECODE_MALFORMED || r === DECODE_UNSUPPORTED;
    }), { numRuns: 5000 });
  });
  it('on every truncation and random corruption of a valid frame', () => {
    for (let n = 0; n <= MIRAI_SYN.length; n++) decode(MIRAI_SYN.subarray(0, n));
    fc.assert(fc.property(fc.nat(MIRAI_SYN.length - 1), fc.nat(255), (i, v) => {
      const b = MIRAI_SYN.slice();
      b[i] = v;
      decode(b);
      return true;
    }), { numRuns: 3000 });
  });
});
