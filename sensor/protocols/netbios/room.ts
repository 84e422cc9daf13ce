// The NetBIOS name service room: UDP 137 (RFC 1002 4.2) becomes netbios events.
import type { RoomDescriptor, RoomHost, UdpHandler } from '../room.js';
import { parseNetbiosNs } from './parse.js';

export const netbiosRoom: RoomDescriptor = {
  name: 'netbios',
  events: ['netbios'],
  udp: {
    ports: [137],
    firstSpeaker: 'client',
    create: (h: RoomHost): UdpHandler => ({
      datagram(payload) {
        const n = parseNetbiosNs(payload);
        if (!n) { h.unparsed(); return true; }
        h.emit({
          type: 'netbios', ts: h.p.ts, src_mac: h.srcMac(), dst_mac: h.dstMac(), src_ip: h.ipSrc(), dst_ip: h.ipDst(),
          direction: h.direction(), kind: n.kind, name: n.name, suffix: n.suffix,
        });
        return true;
      },
    }),
  },
};
