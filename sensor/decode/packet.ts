// The one reusable decode record: every layer decoder fills its fields in place, so decoding a
// packet allocates nothing (the hot path runs millions of times per second).

export const DECODE_OK = 0;
/** A header was shorter than its layer needs, or a length field points past the capture. */
export const DECODE_MALFORMED = 1;
/** A link type or EtherType we do not decode (counted, not an error). */
export const DECODE_UNSUPPORTED = 2;
export type DecodeResult = typeof DECODE_OK | typeof DECODE_MALFORMED | typeof DECODE_UNSUPPORTED;

export const IPPROTO_ICMP = 1;
/** IPv4 in IP (RFC 2003). */
export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
/** IPv6 in IP (RFC 4213 6in4, RFC 2473 6in6). */
export const IPPROTO_IPV6 = 41;
export const IPPROTO_GRE = 47;
export const IPPROTO_ICMPV6 = 58;

/** Encapsulations the decoder unwraps (bits of Packet.tunnelKinds). */
export const TUNNEL_GRE = 1;
export const TUNNEL_ERSPAN = 2;
export const TUNNEL_VXLAN = 4;
export const TUNNEL_IPIP = 8;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

export class Packet {
  /**
   * The bytes the frame is in: the frame alone (decodeFrame), or a whole FrameBatch's buffer with the
   * frame somewhere inside it (decodeFrameAt). Every offset below is into data; nothing may take
   * data.length as the frame's end.
   */
  data: Uint8Array = new Uint8Array(0);
  /** Capture time, microseconds. */
  ts = 0;
  /** Original length on the wire. */
  wireLen = 0;

  // Link layer. MACs as 48-bit integers (hi16 * 2^32 + lo32); -1 when the link has none.
  srcMac = -1;
  dstMac = -1;
  /** Outermost VLAN id, -1 if untagged. */
  vlan = -1;
  vlanDepth = 0;
  etherType = 0;
  /** Offset of the network-layer header. */
  l3Off = -1;

  // Network layer.
  ipVersion = 0;
  /** IPv4 addresses as unsigned 32-bit integers. */
  ip4Src = 0;
  ip4Dst = 0;
  /** IPv6: offsets of the 16-byte addresses in data. */
  ip6SrcOff = -1;
  ip6DstOff = -1;
  ttl = 0;
  ipProto = -1;
  /** IPv4 DSCP/ECN byte or IPv6 traffic class. */
  tos = 0;
  /** Non-first fragment (no transport header) or first fragment of several. */
  fragment = false;
  fragmentFirst = false;
  /** Offset and end of the transport header + payload (end bounded by the IP length and the capture). */
  l4Off = -1;
  l4End = -1;

  // Transport layer.
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  seq = 0;
  ack = 0;
  window = 0;
  tcpOptOff = -1;
  tcpOptLen = 0;
  icmpType = -1;
  icmpCode = -1;
  payloadOff = -1;
  payloadLen = 0;

  // ARP (RFC 826), Ethernet/IPv4 only.
  arpOp = 0;
  arpSha = -1;
  arpSpa = 0;
  arpTha = -1;
  arpTpa = 0;

  // Tunnels (dispatch.ts): when the decoder unwraps GRE, ERSPAN, VXLAN or IP-in-IP, every field
  // above describes the innermost packet (its MACs, or -1 when it has no link layer; its IPs).
  /** Encapsulations removed, 0 when the packet was not tunneled. */
  tunnelDepth = 0;
  /** TUNNEL_* bits of the encapsulations removed. */
  tunnelKinds = 0;
  /** Offset in data of the outermost IP header (the tunnel's own addresses), -1 when not tunneled. */
  outerL3Off = -1;
  /** More encapsulations than the decoder unwraps: the fields describe the deepest one, still wrapped. */
  tunnelTooDeep = false;
  /** Scratch for the tunnel decoders: start and end in data of the encapsulated frame, and its TUNNEL_* kind (keepWrapped may read it). */
  innerOff = -1;
  innerEnd = -1;
  innerKind = 0;

  /** Clears every decoded field (the decoder also calls it before reading an encapsulated frame, keeping its tunnel bookkeeping). */
  reset(): void {
    this.srcMac = -1;
    this.dstMac = -1;
    this.vlan = -1;
    this.vlanDepth = 0;
    this.etherType = 0;
    this.l3Off = -1;
    this.ipVersion = 0;
    this.ip4Src = 0;
    this.ip4Dst = 0;
    this.ip6SrcOff = -1;
    this.ip6DstOff = -1;
    this.ttl = 0;
    this.ipProto = -1;
    this.tos = 0;
    this.fragment = false;
    this.fragmentFirst = false;
    this.l4Off = -1;
    this.l4End = -1;
    this.srcPort = 0;
    this.dstPort = 0;
    this.tcpFlags = 0;
    this.seq = 0;
    this.ack = 0;
    this.window = 0;
    this.tcpOptOff = -1;
    this.tcpOptLen = 0;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.payloadOff = -1;
    this.payloadLen = 0;
    this.arpOp = 0;
    this.arpSha = -1;
    this.arpSpa = 0;
    this.arpTha = -1;
    this.arpTpa = 0;
    this.tunnelDepth = 0;
    this.tunnelKinds = 0;
    this.outerL3Off = -1;
    this.tunnelTooDeep = false;
  }
}

/** Big-endian reads without a DataView (the caller has checked the bounds). */
export function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

export function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** A 48-bit MAC at o as an integer. */
export function mac48(b: Uint8Array, o: number): number {
  return ((b[o] << 8) | b[o + 1]) * 0x100000000 + u32(b, o + 2);
}
