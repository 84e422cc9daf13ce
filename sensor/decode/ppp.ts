// PPP framing inside enhanced GRE (PPTP, RFC 2637): the protocol field, and whether it carries IP.
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './ethernet.js';
import { u16, type Packet } from './packet.js';

/** PPP protocol numbers (RFC 1332 IPCP's IPv4 datagrams, RFC 5072 IPv6). */
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;

/**
 * `off` is the PPP frame. Returns ETHERTYPE_IPV4/IPV6 with p.innerOff at the IP header, or 0 for
 * anything else (LCP, CCP, MPPE-encrypted data 0x00FD: most PPTP traffic stays GRE).
 */
export function decodePppProtocol(b: Uint8Array, off: number, end: number, p: Packet): number {
  // RFC 1662 3.1: address 0xFF and control 0x03, omitted when both ends agreed on ACFC (RFC 1661 6.6).
  if (end - off >= 2 && b[off] === 0xff && b[off + 1] === 0x03) off += 2;
  if (end - off < 1) return 0;
  let proto: number;
  // RFC 1661 2 and 6.5: protocol numbers are odd in their last octet, so an odd first octet is a
  // one-octet (compressed, PFC) protocol field.
  if ((b[off] & 1) !== 0) {
    proto = b[off];
    off += 1;
  } else {
    if (end - off < 2) return 0;
    proto = u16(b, off);
    off += 2;
  }
  p.innerOff = off;
  return proto === PPP_IPV4 ? ETHERTYPE_IPV4 : proto === PPP_IPV6 ? ETHERTYPE_IPV6 : 0;
}
