// The fallback room for TCP flows no port and no sniff claimed (raw loaders, FTP data, text C2 on odd
// ports): the first bytes each side sends, as a file_transfer when they are a file, and printable
// segments as tcp_text with the IRC commands they start with.
import type { RoomDescriptor, RoomHost, TcpHandler } from '../room.js';
import { classifyFile, mayBeFile } from '../file/classify.js';
import { fileTransferEvent } from '../file/event.js';
import { parseTcpText } from './text.js';

/**
 * Segments per side read for text. An IRC login (PASS, NICK, USER, JOIN) and a Gafgyt-style C2's first
 * commands fit in a few segments each way; a side that sends this many before the other says anything
 * is a bulk transfer, and the flow is left alone after that.
 */
export const TCP_TEXT_SEGMENTS = 8;

export const tcpRoom: RoomDescriptor = {
  name: 'tcp',
  events: ['file_transfer', 'tcp_text'],
  tcp: {
    fallback: true,
    firstSpeaker: 'either',
    create: (h: RoomHost): TcpHandler => ({
      segment(f, payload, fromClient, segs) {
        if (segs <= TCP_TEXT_SEGMENTS) {
          if (segs === 1 && mayBeFile(payload)) {
            // The first bytes a side sends on a raw connection are where a pushed file starts.
            const c = classifyFile(payload);
            if (c.file_type !== 'other') h.emit(fileTransferEvent(h, c, 'tcp', fromClient, null, null, null));
          }
          const t = parseTcpText(payload);
          if (t) {
            const p = h.p;
            h.emit({
              type: 'tcp_text', ts: p.ts, src_mac: h.srcMac(), dst_mac: h.dstMac(), src_ip: h.ipSrc(), dst_ip: h.ipDst(),
              direction: h.direction(), src_port: p.srcPort, dst_port: p.dstPort,
              from: fromClient ? 'client' : 'server', text: t.text, irc_commands: t.irc_commands, length: payload.length,
            });
          }
        }
        const other = fromClient ? h.flows.respSegs[f] : h.flows.origSegs[f];
        return !(segs >= TCP_TEXT_SEGMENTS && (other === 0 || other >= TCP_TEXT_SEGMENTS));
      },
    }),
  },
};
