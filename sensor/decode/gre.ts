// GRE header (RFC 2784 with RFC 2890 key and sequence; RFC 2637 enhanced GRE for PPTP): finds where
// the encapsulated frame starts and what it is; the caller decides whether to unwrap it.
import { decodeErspan, ETHERTYPE_ERSPAN_II, ETHERTYPE_ERSPAN_III } from './erspan.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_TEB } from './ethernet.js';
import { TUNNEL_GRE, u16, type Packet } from './packet.js';
import { decodePppProtocol } from './ppp.js';

/** PPP in enhanced GRE (RFC 2637 4.1). */
const ETHERTYPE_PPP = 0x880b;

// First octet (RFC 2784 2, RFC 2890 2, RFC 1701 3.1): C, R, K, S bits; second octet: A (RFC 2637) and Ver.
const GRE_C = 0x80;
const GRE_R = 0x40;
const GRE_K = 0x20;
const GRE_S = 0x10;
const GRE_A = 0x80;

/**
 * `off` is the GRE header, `end` the end of the IP payload. Returns the EtherType of the frame GRE
 * carries (ETHERTYPE_TEB for Ethernet, ETHERTYPE_IPV4/IPV6 for a bare IP packet) with p.innerOff and
 * p.innerEnd set, or 0 when there is nothing we unwrap (a keepalive, PPTP's encrypted PPP, an unknown
 * protocol, RFC 1701 source routing, a header cut by the snaplen): the packet then stays GRE.
 */
export function decodeGre(b: Uint8Array, off: number, end: number, p: Packet): number {
  if (end - off < 4) return 0;
  const f0 = b[off];
  const f1 = b[off + 1];
  const version = f1 & 0x07;
  const proto = u16(b, off + 2);
  // RFC 1701 routing (R) puts a variable list of source route entries after the header; RFC 2784
  // deprecates it and no tunnel we care about sets it.
  if ((f0 & GRE_R) !== 0) return 0;
  let hdr = 4;
  if (version === 0) {
    if ((f0 & GRE_C) !== 0) hdr += 4; // checksum + reserved1 (RFC 2784 2.5)
    if ((f0 & GRE_K) !== 0) hdr += 4; // key (RFC 2890 2.1)
    if ((f0 & GRE_S) !== 0) hdr += 4; // sequence number (RFC 2890 2.2)
  } else if (version === 1) {
    // RFC 2637 4.1: K is mandatory (payload length + call id), S and A optional, C and R zero; PPP only.
    if (proto !== ETHERTYPE_PPP || (f0 & (GRE_C | GRE_K)) !== GRE_K) return 0;
    hdr += 4;
    if ((f0 & GRE_S) !== 0) hdr += 4;
    if ((f1 & GRE_A) !== 0) hdr += 4;
  } else {
    return 0;
  }
  const inner = off + hdr;
  if (inner > end) return 0;
  p.innerKind = TUNNEL_GRE;
  p.innerEnd = end;
  switch (proto) {
    case ETHERTYPE_IPV4:
    case ETHERTYPE_IPV6:
    case ETHERTYPE_TEB:
      p.innerOff = inner;
      return proto;
    case ETHERTYPE_ERSPAN_II:
    case ETHERTYPE_ERSPAN_III:
      return decodeErspan(b, inner, end, proto, (f0 & GRE_S) !== 0, p);
    case ETHERTYPE_PPP:
      return version === 1 ? decodePppProtocol(b, inner, end, p) : 0;
    default:
      return 0;
  }
}

