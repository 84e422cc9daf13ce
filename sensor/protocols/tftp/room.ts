// The TFTP room: requests to UDP 69 become tftp events, and the first DATA block of each exchange (sent
// from the server's new port, RFC 1350 4) a file_transfer event.
import type { RoomDescriptor, RoomHost, UdpHandler } from '../room.js';
import { classifyFile } from '../file/classify.js';
import { fileTransferEvent } from '../file/event.js';
import { parseTftpRequest, tftpDataBlock } from './parse.js';

/** Exchanges followed at once (client address and port -> file name); the oldest is dropped when full. */
export const TFTP_EXCHANGES = 256;
/** An exchange not answered within this long (capture time, us) is forgotten (RFC 1350 has retransmission, not minutes of silence). */
export const TFTP_EXCHANGE_TTL = 60_000_000;

interface Exchange {
  filename: string;
  op: 'read' | 'write';
  ts: number;
}

class TftpHandler implements UdpHandler {
  /** Keyed by the client's address and port (its TID, RFC 1350 4); insertion order is age order. */
  private readonly exchanges = new Map<string, Exchange>();
  /** Exchanges dropped because the table was full. */
  dropped = 0;
  constructor(private readonly h: RoomHost) {}

  datagram(payload: Uint8Array): boolean {
    const h = this.h;
    const p = h.p;
    if (p.dstPort !== 69) return false; // the server never answers from 69 (RFC 1350 4)
    const r = parseTftpRequest(payload);
    if (!r) { h.unparsed(); return true; }
    h.emit({
      type: 'tftp', ts: p.ts, src_mac: h.srcMac(), dst_mac: h.dstMac(), src_ip: h.ipSrc(), dst_ip: h.ipDst(),
      direction: h.direction(), src_port: p.srcPort, dst_port: p.dstPort, op: r.op, filename: r.filename, mode: r.mode,
    });
    const key = `${h.ipSrc()}|${p.srcPort}`;
    this.exchanges.delete(key);
    if (this.exchanges.size >= TFTP_EXCHANGES) {
      this.exchanges.delete(this.exchanges.keys().next().value as string);
      this.dropped++;
    }
    this.exchanges.set(key, { filename: r.filename, op: r.op, ts: p.ts });
    return true;
  }

  held(): number {
    return this.exchanges.size;
  }

  following(): boolean {
    return this.exchanges.size > 0;
  }

  follow(payload: Uint8Array): boolean {
    if (tftpDataBlock(payload) !== 1) return false;
    const h = this.h;
    const p = h.p;
    // RRQ: the server sends DATA to the client's TID; WRQ: the client sends DATA from it.
    const toClient = `${h.ipDst()}|${p.dstPort}`;
    let ex = this.exchanges.get(toClient);
    let key = toClient;
    let fromClient = false;
    if (ex === undefined || ex.op !== 'read') {
      key = `${h.ipSrc()}|${p.srcPort}`;
      ex = this.exchanges.get(key);
      fromClient = true;
      if (ex === undefined || ex.op !== 'write') return false;
    }
    this.exchanges.delete(key);
    if (p.ts - ex.ts > TFTP_EXCHANGE_TTL) return false;
    h.emit(fileTransferEvent(h, classifyFile(payload.subarray(4)), 'tftp', fromClient, null, ex.filename, null));
    return true;
  }
}

export const tftpRoom: RoomDescriptor = {
  name: 'tftp',
  events: ['tftp', 'file_transfer'],
  udp: {
    ports: [69],
    firstSpeaker: 'client',
    create: (h: RoomHost): UdpHandler => new TftpHandler(h),
  },
};
