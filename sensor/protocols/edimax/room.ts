// The Edimax discovery room: UDP 20560 (an app's probe to the port, a device's reply from it) becomes
// discovery events naming the device's vendor, model, firmware and name.
import type { RoomDescriptor, RoomHost, UdpHandler } from '../room.js';
import { EDIMAX_PORT, parseEdimaxDiscovery } from './parse.js';

export const edimaxRoom: RoomDescriptor = {
  name: 'edimax',
  events: ['discovery'],
  udp: {
    ports: [EDIMAX_PORT],
    firstSpeaker: 'client',
    create: (h: RoomHost): UdpHandler => ({
      datagram(payload) {
        const d = parseEdimaxDiscovery(payload);
        if (!d) { h.unparsed(); return true; }
        const p = h.p;
        h.emit({
          type: 'discovery', ts: p.ts, src_mac: h.srcMac(), dst_mac: h.dstMac(), src_ip: h.ipSrc(), dst_ip: h.ipDst(),
          direction: h.direction(), src_port: p.srcPort, dst_port: p.dstPort, protocol: 'edimax',
          kind: d.kind, vendor: d.vendor, model: d.model, firmware: d.firmware, name: d.name, device_mac: d.device_mac,
        });
        return true;
      },
    }),
  },
};
