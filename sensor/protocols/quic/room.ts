// The QUIC room: client Initial datagrams to UDP 443 become tls_client_hello events (JA4 starting with q).
import type { RoomDescriptor, RoomHost, UdpHandler } from '../room.js';
import { parseQuicInitial } from './parse.js';
import { emitHello } from '../tls/room.js';

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
          if (q) emitHello(h, q);
        }
        return true;
      },
    }),
  },
};
