// VXLAN header (RFC 7348 5): 8 octets after UDP port 4789, then the tenant's Ethernet frame.
import { ETHERTYPE_TEB } from './ethernet.js';
import { TUNNEL_VXLAN, type Packet } from './packet.js';

/** IANA-assigned VXLAN port (RFC 7348 5). Linux's historical default 8472 is not assumed: it is also used by others. */
export const VXLAN_PORT = 4789;
const VXLAN_LEN = 8;
/** The I flag: the VNI is valid (RFC 7348 5: MUST be 1; the other flag bits are ignored on receipt). */
const VXLAN_I = 0x08;

/** `off`..`end` is the UDP payload. Returns ETHERTYPE_TEB with p.innerOff set, or 0 (no valid VXLAN header). */
export function decodeVxlan(b: Uint8Array, off: number, end: number, p: Packet): number {
  if (end - off < VXLAN_LEN || (b[off] & VXLAN_I) === 0) return 0;
  p.innerKind = TUNNEL_VXLAN;
  p.innerOff = off + VXLAN_LEN;
  p.innerEnd = end;
  return ETHERTYPE_TEB;
}
