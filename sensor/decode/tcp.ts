// TCP header (RFC 9293 3.1): ports, sequence numbers, flags, window; options are located, not parsed.
import { DECODE_MALFORMED, DECODE_OK, u16, u32, type DecodeResult, type Packet } from './packet.js';

export function decodeTcp(b: Uint8Array, off: number, end: number, p: Packet): DecodeResult {
  if (end - off < 20) return DECODE_MALFORMED;
  const dataOff = (b[off + 12] >> 4) * 4;
  if (dataOff < 20) return DECODE_MALFORMED;
  p.srcPort = u16(b, off);
  p.dstPort = u16(b, off + 2);
  p.seq = u32(b, off + 4);
  p.ack = u32(b, off + 8);
  p.tcpFlags = b[off + 13];
  p.window = u16(b, off + 14);
  p.tcpOptOff = off + 20;
  p.tcpOptLen = dataOff - 20;
  // A header longer than the capture (snaplen) still gives us ports and flags; no payload then.
  const payloadOff = off + dataOff;
  p.payloadOff = payloadOff;
  p.payloadLen = payloadOff < end ? end - payloadOff : 0;
  return DECODE_OK;
}

/** Option kinds in order (p0f-style layout), parsed lazily only for the few packets that need it. */
export function tcpOptionKinds(b: Uint8Array, off: number, len: number, end: number): number[] {
  const kinds: number[] = [];
  const stop = Math.min(off + len, end);
  let i = off;
  while (i < stop && kinds.length < 40) {
    const kind = b[i];
    kinds.push(kind);
    if (kind === 0) break; // end of option list
    if (kind === 1) { i++; continue; } // NOP
    if (i + 1 >= stop) break;
    const l = b[i + 1];
    if (l < 2) break;
    i += l;
  }
  return kinds;
}
