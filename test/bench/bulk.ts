// Writes a synthetic "bulk" capture for the benchmark: what most of a home's packets look like
// (a few long TCP downloads: full-size data segments from servers, an ACK every second segment
// back), unlike the merged IDS corpus of short flows and handshakes.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pcapHeader } from '../gen/pcap.js';

const MSS = 1448;

function checksumless(frame: Buffer, srcIp: number, dstIp: number, sport: number, dport: number, seq: number, ack: number, flags: number, payload: number): void {
  // Ethernet: router -> laptop, or laptop -> router.
  frame.writeUInt16BE(0x0800, 12);
  // IPv4 header, no options; checksums are not verified by the sensor (NICs offload them).
  frame[14] = 0x45;
  frame.writeUInt16BE(20 + 20 + payload, 16);
  frame[22] = 64;
  frame[23] = 6;
  frame.writeUInt32BE(srcIp >>> 0, 26);
  frame.writeUInt32BE(dstIp >>> 0, 30);
  frame.writeUInt16BE(sport, 34);
  frame.writeUInt16BE(dport, 36);
  frame.writeUInt32BE(seq >>> 0, 38);
  frame.writeUInt32BE(ack >>> 0, 42);
  frame[46] = 0x50;
  frame[47] = flags;
  frame.writeUInt16BE(65535, 48);
}

/** `count` packets over 8 concurrent downloads to one LAN client, 10 Gbit-free pacing (1 µs apart). */
export async function writeBulk(out: string, count: number): Promise<{ packets: number; bytes: number }> {
  const ws = createWriteStream(out, { highWaterMark: 1 << 20 });
  ws.write(pcapHeader(262144));
  const laptopMac = Buffer.from('3ca9f45e217a', 'hex');
  const routerMac = Buffer.from('e0286d0c1a2b', 'hex');
  const laptop = (192 << 24) | (168 << 16) | (178 << 8) | 20;
  const flows = 8;
  const seqs = new Array<number>(flows).fill(1000);
  let ts = Date.UTC(2026, 0, 1) * 1000;
  let bytes = 24;
  const batch: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const f = i % flows;
    const server = (((93 << 24) | (184 << 16) | (216 << 8) | (34 + f)) >>> 0);
    const isAck = i % 3 === 2;
    const payload = isAck ? 0 : MSS;
    const frame = Buffer.alloc(14 + 40 + payload);
    if (isAck) {
      laptopMac.copy(frame, 6); routerMac.copy(frame, 0);
      checksumless(frame, laptop, server, 50000 + f, 443, 500, seqs[f], 0x10, 0);
    } else {
      routerMac.copy(frame, 6); laptopMac.copy(frame, 0);
      checksumless(frame, server, laptop, 443, 50000 + f, seqs[f], 500, 0x10, payload);
      seqs[f] = (seqs[f] + payload) >>> 0;
    }
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Math.floor(ts / 1e6), 0);
    rec.writeUInt32LE(ts % 1e6, 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    batch.push(rec, frame);
    bytes += 16 + frame.length;
    ts += 1;
    if (batch.length >= 2048) {
      if (!ws.write(Buffer.concat(batch))) await once(ws, 'drain');
      batch.length = 0;
    }
  }
  if (batch.length) ws.write(Buffer.concat(batch));
  ws.end();
  await once(ws, 'finish');
  return { packets: count, bytes };
}
