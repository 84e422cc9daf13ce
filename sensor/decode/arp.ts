// ARP for IPv4 over Ethernet (RFC 826): operation and the sender/target hardware and protocol addresses.
import { DECODE_MALFORMED, DECODE_OK, DECODE_UNSUPPORTED, mac48, u16, u32, type DecodeResult, type Packet } from './packet.js';

export function decodeArp(b: Uint8Array, off: number, end: number, p: Packet): DecodeResult {
  if (end - off < 8) return DECODE_MALFORMED;
  const htype = u16(b, off);
  const ptype = u16(b, off + 2);
  const hlen = b[off + 4];
  const plen = b[off + 5];
  if (htype !== 1 || ptype !== 0x0800 || hlen !== 6 || plen !== 4) return DECODE_UNSUPPORTED;
  if (end - off < 28) return DECODE_MALFORMED;
  p.arpOp = u16(b, off + 6);
  p.arpSha = mac48(b, off + 8);
  p.arpSpa = u32(b, off + 14);
  p.arpTha = mac48(b, off + 18);
  p.arpTpa = u32(b, off + 24);
  return DECODE_OK;
}
