// 802.1Q VLAN tags and 802.1ad/QinQ stacks: strips up to 4 tags and leaves the inner EtherType.
import { DECODE_MALFORMED, DECODE_OK, u16, type DecodeResult, type Packet } from './packet.js';

const TPID_8021Q = 0x8100;
const TPID_8021AD = 0x88a8;
const TPID_QINQ_OLD = 0x9100;
const MAX_TAGS = 4;

export function isVlanTpid(type: number): boolean {
  return type === TPID_8021Q || type === TPID_8021AD || type === TPID_QINQ_OLD;
}

/** `type` is the EtherType read just before `off`; sets p.etherType, p.vlan, p.l3Off. */
export function decodeVlanTags(b: Uint8Array, off: number, end: number, type: number, p: Packet): DecodeResult {
  let depth = 0;
  while (isVlanTpid(type)) {
    if (depth === MAX_TAGS || end - off < 4) return DECODE_MALFORMED;
    // TCI: 3 bits priority, 1 bit DEI, 12 bits VLAN id (IEEE 802.1Q 9.6).
    if (depth === 0) p.vlan = u16(b, off) & 0x0fff;
    type = u16(b, off + 2);
    off += 4;
    depth++;
  }
  p.vlanDepth = depth;
  p.etherType = type;
  p.l3Off = off;
  return DECODE_OK;
}
