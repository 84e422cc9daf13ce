// The BitTorrent DHT room: KRPC datagrams (BEP 5) on any UDP port, found by content, become bt_dht events (Mozi and Hajime are DHT peers).
import type { RoomDescriptor, RoomHost, UdpHandler } from '../room.js';
import { looksLikeKrpc, parseKrpc } from './parse.js';

/**
 * Datagrams per direction of one UDP flow looked at: a DHT exchange is a query and its response per peer,
 * and uTP (BEP 29) shares the port pair with the DHT in real clients, so the first packets are not all DHT
 * (bittorrent_utp.pcap: the third query is the originator's 7th datagram).
 */
export const BT_DHT_PACKETS = 16;

export const btDhtRoom: RoomDescriptor = {
  name: 'bt_dht',
  events: ['bt_dht'],
  udp: {
    sniff: looksLikeKrpc,
    firstSpeaker: 'either',
    create: (h: RoomHost): UdpHandler => ({
      datagram(payload, r) {
        const fl = h.flows;
        const pkts = r > 0 ? fl.origPkts[r - 1] : fl.respPkts[-r - 1];
        if (pkts > BT_DHT_PACKETS) return true;
        const m = parseKrpc(payload);
        if (!m) return false;
        const p = h.p;
        h.emit({
          type: 'bt_dht', ts: p.ts, src_mac: h.srcMac(), dst_mac: h.dstMac(), src_ip: h.ipSrc(), dst_ip: h.ipDst(),
          direction: h.direction(), src_port: p.srcPort, dst_port: p.dstPort, kind: m.kind, method: m.method, node_id: m.node_id,
        });
        return true;
      },
    }),
  },
};
