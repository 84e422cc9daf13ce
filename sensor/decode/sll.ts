// Linux cooked capture headers: SLL (16 bytes, LINKTYPE_LINUX_SLL) and SLL2 (20 bytes, LINKTYPE_LINUX_SLL2).
import { DECODE_MALFORMED, DECODE_UNSUPPORTED, mac48, u16, type DecodeResult, type Packet } from './packet.js';
import { decodeVlanTags } from './vlan.js';

const ARPHRD_ETHER = 1;

/** SLL: packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2). Source MAC only when ARPHRD_ETHER. */
export function decodeSll(b: Uint8Array, off: number, end: number, p: Packet): DecodeResult {
  if (end - off < 16) return DECODE_MALFORMED;
  const hatype = u16(b, off + 2);
  const halen = u16(b, off + 4);
  if (hatype === ARPHRD_ETHER && halen === 6) p.srcMac = mac48(b, off + 6);
  const proto = u16(b, off + 14);
  if (proto <= 1500) return DECODE_UNSUPPORTED;
  return decodeVlanTags(b, off + 16, end, proto, p);
}

/** SLL2: protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) addr len(1) addr(8). */
export function decodeSll2(b: Uint8Array, off: number, end: number, p: Packet): DecodeResult {
  if (end - off < 20) return DECODE_MALFORMED;
  const proto = u16(b, off);
  const hatype = u16(b, off + 8);
  const halen = b[off + 11];
  if (hatype === ARPHRD_ETHER && halen === 6) p.srcMac = mac48(b, off + 12);
  if (proto <= 1500) return DECODE_UNSUPPORTED;
  return decodeVlanTags(b, off + 20, end, proto, p);
}
