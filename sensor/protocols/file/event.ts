// Builds a file_transfer event from the packet being processed, in the orientation of the connection (src = the side that opened it).
import type { Direction, FileTransferEvent } from '../../events.js';
import type { RoomHost } from '../room.js';
import type { FileFields } from './classify.js';

const FLIPPED: Record<Direction, Direction> = { outbound: 'inbound', inbound: 'outbound', internal: 'internal', external: 'external' };

/**
 * packetFromOpener: the packet carrying the file's first bytes was sent by the side that opened the
 * connection (an upload); otherwise its source and destination are swapped for the event.
 */
export function fileTransferEvent(
  h: RoomHost, c: FileFields, protocol: FileTransferEvent['protocol'], packetFromOpener: boolean,
  host: string | null, uri: string | null, content_type: string | null,
): FileTransferEvent {
  const p = h.p;
  const o = packetFromOpener;
  return {
    type: 'file_transfer', ts: p.ts,
    src_mac: o ? h.srcMac() : h.dstMac(), dst_mac: o ? h.dstMac() : h.srcMac(),
    src_ip: o ? h.ipSrc() : h.ipDst(), dst_ip: o ? h.ipDst() : h.ipSrc(),
    direction: o ? h.direction() : FLIPPED[h.direction()],
    src_port: o ? p.srcPort : p.dstPort, dst_port: o ? p.dstPort : p.srcPort,
    protocol, receiver: o ? 'server' : 'client', host, uri, content_type,
    file_type: c.file_type, elf_arch: c.elf_arch, elf_bits: c.elf_bits, elf_endian: c.elf_endian,
    script_commands: c.script_commands, head_hex: c.head_hex,
  };
}
