// ICMP (RFC 792) and ICMPv6 (RFC 4443) type and code; the message body is the payload.
import { DECODE_MALFORMED, DECODE_OK, type DecodeResult, type Packet } from './packet.js';

export function decodeIcmp(b: Uint8Array, off: number, end: number, p: Packet): DecodeResult {
  if (end - off < 4) return DECODE_MALFORMED;
  p.icmpType = b[off];
  p.icmpCode = b[off + 1];
  p.payloadOff = off + 4;
  p.payloadLen = end - off - 4;
  return DECODE_OK;
}
