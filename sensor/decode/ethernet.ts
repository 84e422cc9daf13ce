// Ethernet II header (IEEE 802.3): destination, source, EtherType; 802.3 length frames are unsupported.
import { DECODE_MALFORMED, DECODE_OK, DECODE_UNSUPPORTED, mac48, u16, type DecodeResult, type Packet } from './packet.js';
import { decodeVlanTags } from './vlan.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
/** Transparent Ethernet Bridging (IANA): a whole Ethernet frame follows (GRE-TEB, and how the tunnel decoders say "Ethernet"). */
export const ETHERTYPE_TEB = 0x6558;

/** Fills MACs, EtherType (after VLAN tags) and l3Off. */
export function decodeEthernet(b: Uint8Array, off: number, end: number, p: Packet): DecodeResult {
  if (end - off < 14) return DECODE_MALFORMED;
  p.dstMac = mac48(b, off);
  p.srcMac = mac48(b, off + 6);
  const type = u16(b, off + 12);
  // Values <= 1500 are an 802.3 length (LLC/SNAP frames: STP, CDP): not IP, not for us.
  if (type <= 1500) return DECODE_UNSUPPORTED;
  return decodeVlanTags(b, off + 14, end, type, p);
}
