// The SSDP room: UDP 1900 (UPnP Device Architecture 2.0, 1) becomes ssdp events.
import type { RoomDescriptor, RoomHost, UdpHandler } from '../room.js';
import { parseSsdp } from './parse.js';

export const ssdpRoom: RoomDescriptor = {
  name: 'ssdp',
  events: ['ssdp'],
  udp: {
    ports: [1900],
    firstSpeaker: 'client',
    create: (h: RoomHost): UdpHandler => ({
      datagram(payload) {
        const s = parseSsdp(payload);
        if (!s) { h.unparsed(); return true; }
        const p = h.p;
        h.emit({
          type: 'ssdp', ts: p.ts, src_mac: h.srcMac(), dst_mac: h.dstMac(), src_ip: h.ipSrc(), dst_ip: h.ipDst(),
          direction: h.direction(), src_port: p.srcPort, dst_port: p.dstPort,
          method: s.method, server: s.server, user_agent: s.user_agent, st: s.st, nt: s.nt, nts: s.nts, usn: s.usn,
          location: s.location, headers: s.headers,
        });
        return true;
      },
    }),
  },
};
