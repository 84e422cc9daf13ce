// The QUIC room: client Initial datagrams to UDP 443 become tls_client_hello events (JA4 starting with q).
import type { RoomDescriptor, RoomHost, UdpHandler } from '../room.js';
import { parseQuicInitial } from './parse.js';

export const quicRoom: RoomDescriptor = {
  name: 'quic',
  events: ['tls_client_hello'],
  udp: {
    ports: [443],
    firstSpeaker: 'client',
    create: (h: RoomHost): UdpHandler => ({
      datagram(payload, r) {
        const p = h.p;
        // QUIC Initial (RFC 9000 17.2.2): long header, padded to >= 1200 bytes (RFC 9000 14.1). Decrypting
        // costs ~70 us, so only the first two client datagrams of a flow are tried (a flood on 443 stays cheap).
        if (p.dstPort === 443 && r > 0 && payload.length >= 1200 && (payload[0] & 0xc0) === 0xc0 && h.flows.origPkts[r - 1] <= 2) {
          const q = parseQuicInitial(payload);
          if (q) {
            h.emit({
              type: 'tls_client_hello', ts: p.ts, src_mac: h.srcMac(), dst_mac: h.dstMac(), src_ip: h.ipSrc(), dst_ip: h.ipDst(),
              direction: h.direction(), src_port: p.srcPort, dst_port: p.dstPort,
              version: q.version, max_version: q.max_version, sni: q.sni, alpn: q.alpn, ciphers: q.ciphers, extensions: q.extensions,
              groups: q.groups, point_formats: q.point_formats, signature_algorithms: q.signature_algorithms,
              ja3: q.ja3, ja3_hash: q.ja3_hash, ja4: q.ja4,
            });
          }
        }
        return true;
      },
    }),
  },
};
