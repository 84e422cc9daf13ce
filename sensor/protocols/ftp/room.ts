// The FTP room: the client's commands on a TCP 21 control connection (RFC 959) become ftp events.
import type { RoomDescriptor, RoomHost, TcpHandler } from '../room.js';
import { parseFtpCommands } from './parse.js';

/** Client segments of a control connection read for commands: a login and a fetch are a handful. */
export const FTP_SEGMENTS = 32;

export const ftpRoom: RoomDescriptor = {
  name: 'ftp',
  events: ['ftp'],
  tcp: {
    ports: [21],
    firstSpeaker: 'server', // RFC 959 5.4: the server greets with 220 first
    create: (h: RoomHost): TcpHandler => ({
      segment(f, payload, fromClient, segs) {
        if (fromClient && segs <= FTP_SEGMENTS) {
          const p = h.p;
          for (const c of parseFtpCommands(payload)) {
            h.emit({
              type: 'ftp', ts: p.ts, src_mac: h.srcMac(), dst_mac: h.dstMac(), src_ip: h.ipSrc(), dst_ip: h.ipDst(),
              direction: h.direction(), src_port: p.srcPort, dst_port: p.dstPort, command: c.command, arg: c.arg,
            });
          }
        }
        return h.flows.origSegs[f] < FTP_SEGMENTS;
      },
    }),
  },
};
