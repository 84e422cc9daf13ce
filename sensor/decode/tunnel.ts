// Which tunnel, if any, a decoded packet carries (GRE, ERSPAN, VXLAN, IP-in-IP), and where its
// encapsulated frame starts; dispatch.ts does the unwrapping.
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './ethernet.js';
import { decodeGre } from './gre.js';
import { IPPROTO_GRE, IPPROTO_IPIP, IPPROTO_IPV6, IPPROTO_UDP, TUNNEL_IPIP, type Packet } from './packet.js';
import { decodeVxlan, VXLAN_PORT } from './vxlan.js';

/** Encapsulations unwrapped per packet; a deeper one is counted (Packet.tunnelTooDeep) and left wrapped. */
export const MAX_TUNNEL_DEPTH = 4;

/**
 * Asked before each encapsulation is removed, with p describing the packet that carries it (the
 * tunnel's own MACs and addresses; p.innerKind says which tunnel): true keeps the packet as it is
 * (GRE, UDP or IP-in-IP traffic).
 */
export type KeepWrapped = (p: Packet) => boolean;

/**
 * Runs on every decoded packet, so the common case (TCP, plain UDP) costs a few comparisons.
 * Returns the EtherType of the encapsulated frame (ETHERTYPE_TEB: Ethernet) with p.innerOff,
 * p.innerEnd and p.innerKind set, or 0 when the packet is no tunnel we unwrap.
 */
export function tunnelPayload(b: Uint8Array, p: Packet): number {
  const off = p.l4Off;
  // A non-first fragment has no transport header; a first fragment is unwrapped as far as it goes.
  if (off < 0) return 0;
  const proto = p.ipProto;
  if (proto === IPPROTO_UDP) {
    if (p.dstPort !== VXLAN_PORT || p.payloadOff < 0) return 0;
    return decodeVxlan(b, p.payloadOff, p.payloadOff + p.payloadLen, p);
  }
  if (proto === IPPROTO_GRE) return decodeGre(b, off, p.l4End, p);
  if (proto === IPPROTO_IPIP || proto === IPPROTO_IPV6) {
    // RFC 2003 (IPv4 in IP), RFC 4213 3.5 (6in4), RFC 2473 (IPv6 in IPv6, and IPv4 in IPv6).
    p.innerKind = TUNNEL_IPIP;
    p.innerOff = off;
    p.innerEnd = p.l4End;
    return proto === IPPROTO_IPIP ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
  }
  return 0;
}
