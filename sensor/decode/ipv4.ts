// IPv4 header (RFC 791): addresses, protocol, TTL, fragments; the transport range is bounded by
// the total length (Ethernet padding stripped) and by the capture (snaplen).
import { DECODE_MALFORMED, DECODE_OK, u16, u32, type DecodeResult, type Packet } from './packet.js';

export function decodeIpv4(b: Uint8Array, off: number, end: number, p: Packet): DecodeResult {
  if (end - off < 20) return DECODE_MALFORMED;
  const vihl = b[off];
  if (vihl >> 4 !== 4) return DECODE_MALFORMED;
  const ihl = (vihl & 0x0f) * 4;
  if (ihl < 20 || end - off < ihl) return DECODE_MALFORMED;
  const total = u16(b, off + 2);
  // Total length 0 appears with TCP segmentation offload on the capturing host: trust the capture.
  let l4End = end;
  if (total !== 0) {
    if (total < ihl) return DECODE_MALFORMED;
    if (off + total < end) l4End = off + total;
  }
  p.ipVersion = 4;
  p.tos = b[off + 1];
  const frag = u16(b, off + 6);
  const offset = frag & 0x1fff;
  const moreFragments = (frag & 0x2000) !== 0;
  p.fragment = offset !== 0 || moreFragments;
  p.fragmentFirst = offset === 0 && moreFragments;
  p.ttl = b[off + 8];
  p.ipProto = b[off + 9];
  p.ip4Src = u32(b, off + 12);
  p.ip4Dst = u32(b, off + 16);
  // A non-first fragment carries no transport header (RFC 791 3.2): leave l4Off unset.
  if (offset === 0) {
    p.l4Off = off + ihl;
    p.l4End = l4End;
  }
  return DECODE_OK;
}
