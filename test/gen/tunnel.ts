// Wraps an Ethernet frame the way a switch's mirror session or an overlay sends it: ERSPAN type I, II
// and III over GRE, GRE Transparent Ethernet Bridging, VXLAN; each with an outer Ethernet/IPv4 header
// of correct lengths and checksum. Pure: bytes in, bytes out (the traffic it makes is synthetic).
//
// A case mirrored by a switch, e.g. an exploit scenario seen through ERSPAN type II (one GRE
// sequence number per mirrored frame, as a switch counts them):
//   const mirrored = records.map((r, i) => ({ ...r, data: wrapErspanII(r.data, { seq: i + 1 }) }));
// The sensor unwraps ERSPAN whatever the outer addresses (sensor/decode/README.md), so the case's
// expectations are those of the unwrapped capture. Outer defaults: switch 10.255.0.1 -> collector 10.255.0.2.
import { concat, ethernet, ETH_IPV4, ipv4 } from './packets.js';

/** The outer packet: the mirror session's (or tunnel endpoint's) own link and addresses. */
export interface OuterOpts {
  /** Outer source MAC (default 00:1b:54:00:00:01, a Cisco OUI: the mirroring switch). */
  srcMac?: string;
  /** Outer destination MAC (default 00:1b:21:00:00:02: the collector's NIC). */
  dstMac?: string;
  /** Outer IPv4 source (default 10.255.0.1: the switch's ERSPAN source address). */
  src?: string;
  /** Outer IPv4 destination (default 10.255.0.2: the collector, where the sensor listens). */
  dst?: string;
  ttl?: number;
  /** IPv4 identification. */
  id?: number;
}

export interface GreOpts extends OuterOpts {
  /** RFC 2890 key (K bit). */
  key?: number;
  /** RFC 2890 sequence number (S bit). */
  seq?: number;
  /** RFC 2784 checksum (C bit), computed over the GRE header and payload. */
  checksum?: boolean;
}

export interface ErspanIIOpts extends OuterOpts {
  /** GRE sequence number: type II always has one (default 1). */
  seq?: number;
  /** Session ID, 10 bits (default 1). */
  sessionId?: number;
  /** The mirrored frame's original VLAN, 12 bits (default 0). */
  vlan?: number;
  /** Class of service, 3 bits. */
  cos?: number;
  /** En: how the original VLAN tag is kept, 2 bits (default 3: preserved in the frame). */
  en?: number;
  /** Port index, 20 bits. */
  index?: number;
}

export interface ErspanIIIOpts extends OuterOpts {
  seq?: number;
  sessionId?: number;
  vlan?: number;
  cos?: number;
  /** Timestamp, 32 bits, in units of `gra` (default 0). */
  timestamp?: number;
  /** Security group tag, 16 bits. */
  sgt?: number;
  /** Hardware (ASIC) id, 6 bits. */
  hwId?: number;
  /** Direction: false ingress, true egress. */
  egress?: boolean;
  /** Timestamp granularity, 2 bits (default 1: 100 nanoseconds; 0 is 100 microseconds). */
  gra?: number;
  /** Frame type: 0 Ethernet (default), 2 a bare IP packet. */
  ft?: number;
  /** The 8-octet platform-specific sub-header; when given, O is set and it follows the header. */
  subheader?: Uint8Array;
}

export interface VxlanOpts extends OuterOpts {
  /** VXLAN network identifier, 24 bits (default 42). */
  vni?: number;
  /** UDP source port (RFC 7348 5 suggests a hash of the inner flow in 49152-65535; default 49152). */
  srcPort?: number;
  /** UDP destination port (default 4789, IANA). */
  dstPort?: number;
}

/** GRE protocol types (IANA EtherTypes). */
export const GRE_PROTO = { IPV4: 0x0800, IPV6: 0x86dd, TEB: 0x6558, ERSPAN_II: 0x88be, ERSPAN_III: 0x22eb } as const;

const IPPROTO_GRE = 47;
const IPPROTO_UDP = 17;

/** RFC 1071 Internet checksum. */
function internetChecksum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (data.length & 1) sum += data[data.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Any payload in IPv4 (protocol `proto`) in Ethernet: IP-in-IP (4), enhanced GRE, or a hand-made header. */
export function wrapIpv4(proto: number, payload: Uint8Array, opts: OuterOpts = {}): Uint8Array {
  return outer(proto, payload, opts);
}

function outer(proto: number, payload: Uint8Array, o: OuterOpts): Uint8Array {
  const src = o.src ?? '10.255.0.1';
  const dst = o.dst ?? '10.255.0.2';
  return ethernet(o.srcMac ?? '00:1b:54:00:00:01', o.dstMac ?? '00:1b:21:00:00:02', ETH_IPV4,
    ipv4({ src, dst, proto, ttl: o.ttl ?? 64, id: o.id ?? 0 }, payload));
}

/** GRE header (RFC 2784 2.1, RFC 2890 2): C, K, S bits as the options ask, version 0. */
export function greHeader(protocol: number, o: { key?: number; seq?: number; checksum?: boolean } = {}): Uint8Array {
  const c = o.checksum === true;
  const k = o.key !== undefined;
  const s = o.seq !== undefined;
  const h = new Uint8Array(4 + (c ? 4 : 0) + (k ? 4 : 0) + (s ? 4 : 0));
  const dv = new DataView(h.buffer);
  h[0] = (c ? 0x80 : 0) | (k ? 0x20 : 0) | (s ? 0x10 : 0);
  dv.setUint16(2, protocol);
  let at = 4 + (c ? 4 : 0);
  if (k) { dv.setUint32(at, o.key! >>> 0); at += 4; }
  if (s) dv.setUint32(at, o.seq! >>> 0);
  return h;
}

/** Any payload in GRE in IPv4 in Ethernet; the GRE checksum, when asked for, covers header and payload (RFC 2784 2.5). */
export function wrapGre(payload: Uint8Array, protocol: number, opts: GreOpts = {}): Uint8Array {
  const gre = concat(greHeader(protocol, opts), payload);
  if (opts.checksum === true) new DataView(gre.buffer).setUint16(4, internetChecksum(gre));
  return outer(IPPROTO_GRE, gre, opts);
}

/** GRE Transparent Ethernet Bridging (0x6558): the Ethernet frame right after the GRE header. */
export function wrapGreTeb(frame: Uint8Array, opts: GreOpts = {}): Uint8Array {
  return wrapGre(frame, GRE_PROTO.TEB, opts);
}

/** ERSPAN type I: GRE 0x88BE without a sequence number and no ERSPAN header (Wireshark: "e.g. Broadcom Trident 2"). */
export function wrapErspanI(frame: Uint8Array, opts: OuterOpts = {}): Uint8Array {
  return outer(IPPROTO_GRE, concat(greHeader(GRE_PROTO.ERSPAN_II), frame), opts);
}

/** ERSPAN type II (draft-foschiano-erspan-03 4.2): GRE with S set, 0x88BE, then the 8-octet header. */
export function wrapErspanII(frame: Uint8Array, opts: ErspanIIOpts = {}): Uint8Array {
  const h = new Uint8Array(8);
  const dv = new DataView(h.buffer);
  // Ver(4)=1 | VLAN(12); COS(3) | En(2) | T(1) | Session ID(10); Reserved(12) | Index(20).
  dv.setUint16(0, (1 << 12) | ((opts.vlan ?? 0) & 0xfff));
  dv.setUint16(2, (((opts.cos ?? 0) & 7) << 13) | (((opts.en ?? 3) & 3) << 11) | ((opts.sessionId ?? 1) & 0x3ff));
  dv.setUint32(4, (opts.index ?? 0) & 0xfffff);
  return outer(IPPROTO_GRE, concat(greHeader(GRE_PROTO.ERSPAN_II, { seq: opts.seq ?? 1 }), h, frame), opts);
}

/** ERSPAN type III (draft-foschiano-erspan-03 4.3): GRE with S set, 0x22EB, the 12-octet header, the optional sub-header. */
export function wrapErspanIII(frame: Uint8Array, opts: ErspanIIIOpts = {}): Uint8Array {
  const h = new Uint8Array(12);
  const dv = new DataView(h.buffer);
  const sub = opts.subheader;
  if (sub !== undefined && sub.length !== 8) throw new Error('ERSPAN III platform sub-header is 8 octets');
  // Ver(4)=2 | VLAN(12); COS(3) | BSO(2) | T(1) | Session ID(10); Timestamp(32); SGT(16);
  // P(1) | FT(5) | Hw ID(6) | D(1) | Gra(2) | O(1).
  dv.setUint16(0, (2 << 12) | ((opts.vlan ?? 0) & 0xfff));
  dv.setUint16(2, (((opts.cos ?? 0) & 7) << 13) | ((opts.sessionId ?? 1) & 0x3ff));
  dv.setUint32(4, (opts.timestamp ?? 0) >>> 0);
  dv.setUint16(8, (opts.sgt ?? 0) & 0xffff);
  dv.setUint16(10, (((opts.ft ?? 0) & 0x1f) << 10) | (((opts.hwId ?? 0) & 0x3f) << 4) | (opts.egress === true ? 8 : 0) |
    (((opts.gra ?? 1) & 3) << 1) | (sub !== undefined ? 1 : 0));
  return outer(IPPROTO_GRE, concat(greHeader(GRE_PROTO.ERSPAN_III, { seq: opts.seq ?? 1 }), h, sub ?? new Uint8Array(0), frame), opts);
}

/** VXLAN (RFC 7348 5): UDP to 4789 with a zero checksum (as the RFC advises over IPv4), I flag, VNI, the frame. */
export function wrapVxlan(frame: Uint8Array, opts: VxlanOpts = {}): Uint8Array {
  const u = new Uint8Array(16);
  const dv = new DataView(u.buffer);
  dv.setUint16(0, opts.srcPort ?? 49152);
  dv.setUint16(2, opts.dstPort ?? 4789);
  dv.setUint16(4, 16 + frame.length);
  // UDP checksum 0: "SHOULD be transmitted as zero" (RFC 7348 5, IPv4 outer header).
  u[8] = 0x08; // flags: I
  dv.setUint32(12, ((opts.vni ?? 42) & 0xffffff) << 8);
  return outer(IPPROTO_UDP, concat(u, frame), opts);
}
