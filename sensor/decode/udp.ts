// UDP header (RFC 768): ports and a payload bounded by the UDP length and the capture.
import { DECODE_MALFORMED, DECODE_OK, u16, type DecodeResult, type Packet } from './packet.js';

export function decodeUdp(b: Uint8Array, off: number, end: number, p: Packet): DecodeResult {
  if (end - off < 8) return DECODE_MALFORMED;
  p.srcPort = u16(b, off);
  p.dstPort = u16(b, off + 2);
  const len = u16(b, off + 4);
  // Length 0 is legal for IPv6 jumbograms (RFC 2675); otherwise it must cover the header.
  if (len !== 0 && len < 8) return DECODE_MALFORMED;
  let payloadEnd = end;
  if (len !== 0 && off + len < end) payloadEnd = off + len;
  p.payloadOff = off + 8;
  p.payloadLen = payloadEnd - (off + 8);
  return DECODE_OK;
}
