// TFTP packet reader (RFC 1350 5): read/write requests (file name, mode) and the block number of DATA packets.
import type { Endpoints, TftpEvent } from '../../events.js';
import { netText } from '../bytes.js';

export type TftpFields = Omit<TftpEvent, 'type' | 'ts' | keyof Endpoints | 'src_port' | 'dst_port'>;

export const TFTP_LIMITS = { filename: 256, mode: 16 } as const;

/** RFC 1350 5: opcodes. */
export const TFTP_RRQ = 1;
export const TFTP_WRQ = 2;
export const TFTP_DATA = 3;

/**
 * A read or write request: 2-byte opcode (1 RRQ, 2 WRQ), filename, 0, mode, 0 (RFC 1350 5, figure 5-1);
 * option pairs after the mode (RFC 2347) are left out. Null for other opcodes, an unterminated name or
 * mode, an empty name, or a mode that is not a short run of letters (netascii, octet, mail, any case).
 */
export function parseTftpRequest(payload: Uint8Array): TftpFields | null {
  const b = payload;
  if (b.length < 4 || b[0] !== 0 || (b[1] !== TFTP_RRQ && b[1] !== TFTP_WRQ)) return null;
  const nameEnd = b.indexOf(0, 2);
  if (nameEnd <= 2) return null;
  const modeEnd = b.indexOf(0, nameEnd + 1);
  if (modeEnd < 0 || modeEnd === nameEnd + 1 || modeEnd - nameEnd - 1 > TFTP_LIMITS.mode) return null;
  let mode = '';
  for (let i = nameEnd + 1; i < modeEnd; i++) {
    const c = b[i] | 0x20; // lower case (RFC 1350 5: "any combination of upper and lower case")
    if (c < 0x61 || c > 0x7a) return null;
    mode += String.fromCharCode(c);
  }
  return { op: b[1] === TFTP_RRQ ? 'read' : 'write', filename: netText(b, 2, nameEnd, TFTP_LIMITS.filename), mode };
}

/** Block number of a DATA packet (opcode 3, RFC 1350 5 figure 5-2: 2-byte block, then data from byte 4), else -1. */
export function tftpDataBlock(payload: Uint8Array): number {
  const b = payload;
  if (b.length < 4 || b[0] !== 0 || b[1] !== TFTP_DATA) return -1;
  return (b[2] << 8) | b[3];
}
