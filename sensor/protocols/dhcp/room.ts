// The DHCP room: BOOTP datagrams between UDP 67 and 68 (RFC 2131 4.1) become dhcp events.
import type { RoomDescriptor, RoomHost, UdpHandler } from '../room.js';
import { parseDhcp } from './parse.js';

export const dhcpRoom: RoomDescriptor = {
  name: 'dhcp',
  events: ['dhcp'],
  udp: {
    ports: [67, 68],
    firstSpeaker: 'client',
    create: (h: RoomHost): UdpHandler => ({
      datagram(payload) {
        const p = h.p;
        const sp = p.srcPort;
        const dp = p.dstPort;
        // RFC 2131 4.1: clients send from 68 to 67, servers from 67 to 68 (relays 67 to 67).
        if (!((sp === 67 || sp === 68) && (dp === 67 || dp === 68))) return false;
        const d = parseDhcp(payload);
        if (!d) { h.unparsed(); return true; }
        h.emit({ type: 'dhcp', ts: p.ts, src_mac: h.srcMac(), src_ip: h.ipSrc(), dst_ip: h.ipDst(), ...d });
        return true;
      },
    }),
  },
};
