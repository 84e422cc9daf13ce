// NetBIOS Name Service parser (RFC 1002 4.2, UDP 137) -> the kind, name and suffix of a NetbiosEvent.
import type { Endpoints, NetbiosEvent } from '../../events.js';

/** What the payload alone tells; the pipeline adds type, ts and the endpoints. */
export type NetbiosFields = Omit<NetbiosEvent, 'type' | 'ts' | keyof Endpoints>;

// RFC 1002 4.2.1.1 OPCODE values.
const OP_QUERY = 0;
const OP_REGISTRATION = 5;
const OP_REFRESH = 8; // RFC 1002 4.2.1.1 (8 in the header's 4-bit field; 9 is a common alias)
const OP_MULTIHOMED_REGISTRATION = 15; // [MS-NBTE] 2.2.1

const HEX = '0123456789abcdef';

/**
 * Parse a NetBIOS-NS message: the first name of the message (question, else first record),
 * decoded from its first-level encoding (RFC 1001 14.1). Null when it is not NetBIOS-NS.
 */
export function parseNetbiosNs(payload: Uint8Array): NetbiosFields | null {
  const b = payload;
  // 12-byte header + 1 length + 32 encoded + 1 terminator at least.
  if (b.length < 12 + 34) return null;
  const flags = (b[2] << 8) | b[3];
  const response = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0xf;
  const records = ((b[4] << 8) | b[5]) + ((b[6] << 8) | b[7]) + ((b[8] << 8) | b[9]) + ((b[10] << 8) | b[11]);
  if (records === 0) return null;
  // RFC 1002 4.1: the name is a 32-byte label of half-bytes + 'A' (0x41..0x50).
  if (b[12] !== 0x20) return null;
  let name = '';
  let suffix = 0;
  for (let i = 0; i < 16; i++) {
    const hi = b[13 + 2 * i] - 0x41;
    const lo = b[14 + 2 * i] - 0x41;
    if (hi < 0 || hi > 15 || lo < 0 || lo > 15) return null;
    const c = (hi << 4) | lo;
    if (i === 15) suffix = c;
    else name += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `<${HEX[c >> 4]}${HEX[c & 15]}>`;
  }
  // RFC 1001 14.1: names are padded with spaces (the wildcard "*" with NULs).
  name = name.replace(/(?: |<00>)+$/, '');
  let kind: NetbiosFields['kind'];
  if (response) kind = 'response';
  else if (opcode === OP_QUERY) kind = 'query';
  else if (opcode === OP_REGISTRATION || opcode === OP_REFRESH || opcode === 9 || opcode === OP_MULTIHOMED_REGISTRATION) kind = 'registration';
  else kind = 'other';
  return { kind, name, suffix };
}
