// ERSPAN headers (Cisco, draft-foschiano-erspan-03) after a GRE header: types I, II and III, up to
// the mirrored frame they carry.
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_TEB } from './ethernet.js';
import { TUNNEL_ERSPAN, type Packet } from './packet.js';

/** GRE protocol type of ERSPAN types I and II (draft-foschiano-erspan-03 4.1, 4.2). */
export const ETHERTYPE_ERSPAN_II = 0x88be;
/** GRE protocol type of ERSPAN type III (draft 4.3). */
export const ETHERTYPE_ERSPAN_III = 0x22eb;
/** Type II header (draft 4.2): Ver=1 VLAN | COS En T Session ID | Reserved Index: 8 octets. */
const TYPE_II_LEN = 8;
/** Type III header (draft 4.3): Ver=2 VLAN | COS BSO T Session ID | Timestamp | SGT | P FT HwID D Gra O: 12 octets. */
const TYPE_III_LEN = 12;
/** Type III platform-specific sub-header, present when O is set (draft 4.3.1). */
const TYPE_III_SUBHEADER_LEN = 8;
/** Type III frame types (FT, draft 4.3): Ethernet, or a bare IP packet. */
const FT_ETHERNET = 0;
const FT_IP = 2;

/**
 * `off` follows the GRE header; `proto` is the GRE protocol type, `greSeq` its S bit. Returns the
 * EtherType of the mirrored frame (ETHERTYPE_TEB for Ethernet) with p.innerOff set, or 0.
 *
 * Type I has no ERSPAN header at all: the mirrored Ethernet frame follows a GRE header with 0x88BE
 * and no sequence number (the draft: types I and II share 0x88BE, and type II sets S; Wireshark's
 * packet-erspan.c dissects 0x88BE with an all-zero GRE flags word as type I, "e.g. Broadcom
 * Trident 2 ASIC", Ethernet straight after GRE). Otherwise the Ver nibble tells II (1) from III (2),
 * also as Wireshark does (it accepts either header under either protocol type).
 */
export function decodeErspan(b: Uint8Array, off: number, end: number, proto: number, greSeq: boolean, p: Packet): number {
  p.innerKind |= TUNNEL_ERSPAN; // on top of GRE's
  if (proto === ETHERTYPE_ERSPAN_II && !greSeq) {
    p.innerOff = off;
    return ETHERTYPE_TEB;
  }
  if (end - off < TYPE_II_LEN) return 0;
  const ver = b[off] >> 4;
  if (ver === 1) {
    // En (encapsulation of the original VLAN tag) does not change where the frame starts; Wireshark
    // reads the frame as Ethernet whatever En says, and so do we (ISL, En=01, is not seen in practice).
    p.innerOff = off + TYPE_II_LEN;
    return ETHERTYPE_TEB;
  }
  if (ver !== 2 || end - off < TYPE_III_LEN) return 0;
  const ft = (b[off + 10] >> 2) & 0x1f;
  let inner = off + TYPE_III_LEN;
  if ((b[off + 11] & 0x01) !== 0) inner += TYPE_III_SUBHEADER_LEN;
  if (inner > end) return 0;
  p.innerOff = inner;
  if (ft === FT_ETHERNET) return ETHERTYPE_TEB;
  // FT=2: a bare IP packet (draft 4.3; Wireshark ignores FT and would read Ethernet here).
  if (ft === FT_IP && inner < end) {
    const v = b[inner] >> 4;
    return v === 4 ? ETHERTYPE_IPV4 : v === 6 ? ETHERTYPE_IPV6 : 0;
  }
  return 0;
}
