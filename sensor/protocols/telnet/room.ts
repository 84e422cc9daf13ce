// The telnet room: segments on TCP 23/2323, the ports Mirai and its variants scan and log in on, become telnet_data events.
import type { RoomDescriptor, RoomHost, TcpHandler } from '../room.js';
import { parseTelnetData } from './parse.js';

/** How many payload segments per direction are turned into telnet_data events (a login and the first commands). */
export const TELNET_SEGMENTS = 24;

export const telnetRoom: RoomDescriptor = {
  name: 'telnet',
  events: ['telnet_data'],
  tcp: {
    ports: [23, 2323],
    firstSpeaker: 'server',
    create: (h: RoomHost): TcpHandler => ({
      segment(f, payload, fromClient, segs) {
        if (segs <= TELNET_SEGMENTS) {
          const p = h.p;
          const t = parseTelnetData(payload);
          h.emit({
            type: 'telnet_data', ts: p.ts, src_mac: h.srcMac(), dst_mac: h.dstMac(), src_ip: h.ipSrc(), dst_ip: h.ipDst(),
            direction: h.direction(), src_port: p.srcPort, dst_port: p.dstPort,
            from: fromClient ? 'client' : 'server', text: t.text, hex: t.hex, length: payload.length,
          });
        }
        return h.flows.origSegs[f] < TELNET_SEGMENTS || h.flows.respSegs[f] < TELNET_SEGMENTS;
      },
    }),
  },
};
