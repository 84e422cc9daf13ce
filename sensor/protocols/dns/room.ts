// The DNS room: DNS on UDP/TCP 53, mDNS on 5353 (RFC 6762), LLMNR on UDP 5355 (RFC 4795) become dns events.
import type { DnsEvent } from '../../events.js';
import type { RoomDescriptor, RoomHost, TcpHandler, UdpHandler } from '../room.js';
import { parseDns, type DnsFields } from './parse.js';

// Events are built as object literals with every field named, not with spreads: a spread copies
// property by property at run time (~10x slower), and literals give each event type one shape.
function dnsEvent(h: RoomHost, d: DnsFields, mdns: boolean, llmnr: boolean, transport: 'udp' | 'tcp'): DnsEvent {
  const p = h.p;
  return {
    type: 'dns', ts: p.ts, src_mac: h.srcMac(), dst_mac: h.dstMac(), src_ip: h.ipSrc(), dst_ip: h.ipDst(),
    direction: h.direction(), mdns, llmnr, transport, src_port: p.srcPort, dst_port: p.dstPort,
    id: d.id, response: d.response, opcode: d.opcode, rcode: d.rcode, questions: d.questions, answers: d.answers,
  };
}

export const dnsRoom: RoomDescriptor = {
  name: 'dns',
  events: ['dns'],
  udp: {
    ports: [53, 5353, 5355],
    firstSpeaker: 'client',
    create: (h: RoomHost): UdpHandler => ({
      datagram(payload) {
        const sp = h.p.srcPort;
        const dp = h.p.dstPort;
        const d = parseDns(payload);
        if (!d) { h.unparsed(); return true; }
        h.emit(dnsEvent(h, d, sp === 5353 || dp === 5353, sp === 5355 || dp === 5355, 'udp'));
        return true;
      },
    }),
  },
  tcp: {
    ports: [53, 5353],
    firstSpeaker: 'client',
    create: (h: RoomHost): TcpHandler => ({
      // DNS over TCP (RFC 7766): length-prefixed messages; the first of each side is enough for us.
      segment(f, payload, _fromClient, segs) {
        if (segs === 1) {
          const d = parseDns(payload, true);
          if (d) h.emit(dnsEvent(h, d, h.flows.respPort[f] === 5353, false, 'tcp'));
          else h.unparsed();
        }
        return h.flows.origSegs[f] === 0 || h.flows.respSegs[f] === 0;
      },
    }),
  },
};
