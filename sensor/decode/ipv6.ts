// IPv6 header (RFC 8200) and its extension-header chain, up to the transport header.
import { DECODE_MALFORMED, DECODE_OK, u16, type DecodeResult, type Packet } from './packet.js';

const HOPOPT = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AH = 51;
const NO_NEXT = 59;
const DSTOPTS = 60;
const MOBILITY = 135;
const MAX_EXT = 8;

export function decodeIpv6(b: Uint8Array, off: number, end: number, p: Packet): DecodeResult {
  if (end - off < 40) return DECODE_MALFORMED;
  if (b[off] >> 4 !== 6) return DECODE_MALFORMED;
  p.ipVersion = 6;
  p.tos = ((b[off] & 0x0f) << 4) | (b[off + 1] >> 4);
  const payloadLen = u16(b, off + 4);
  let next = b[off + 6];
  p.ttl = b[off + 7];
  p.ip6SrcOff = off + 8;
  p.ip6DstOff = off + 24;
  let l4End = end;
  // Payload length 0 with a hop-by-hop jumbo option (RFC 2675), or TSO: trust the capture.
  if (payloadLen !== 0 && off + 40 + payloadLen < end) l4End = off + 40 + payloadLen;
  let cur = off + 40;
  for (let i = 0; i <= MAX_EXT; i++) {
    if (next === HOPOPT || next === ROUTING || next === DSTOPTS || next === MOBILITY) {
      if (l4End - cur < 8) return DECODE_MALFORMED;
      const len = (b[cur + 1] + 1) * 8;
      if (l4End - cur < len) return DECODE_MALFORMED;
      next = b[cur];
      cur += len;
    } else if (next === AH) {
      // RFC 4302 2.2: payload length in 4-octet units minus 2.
      if (l4End - cur < 8) return DECODE_MALFORMED;
      const len = (b[cur + 1] + 2) * 4;
      if (l4End - cur < len) return DECODE_MALFORMED;
      next = b[cur];
      cur += len;
    } else if (next === FRAGMENT) {
      if (l4End - cur < 8) return DECODE_MALFORMED;
      const fo = u16(b, cur + 2);
      const offset = fo >> 3;
      const more = (fo & 1) !== 0;
      p.fragment = offset !== 0 || more;
      p.fragmentFirst = offset === 0 && more;
      next = b[cur];
      cur += 8;
      if (offset !== 0) {
        p.ipProto = next;
        return DECODE_OK;
      }
    } else {
      break;
    }
  }
  p.ipProto = next;
  if (next === NO_NEXT) return DECODE_OK;
  p.l4Off = cur;
  p.l4End = l4End;
  return DECODE_OK;
}
