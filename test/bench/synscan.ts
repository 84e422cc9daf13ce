// Writes a synthetic Mirai-style SYN scan for the benchmark: one infected camera on the home network
// sending bare SYNs to random public addresses on 23/2323 (scanner.c: 9 in 10 to port 23), the
// sequence number equal to the destination address, 10 us apart (100 k SYNs/s, minimum-size frames).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pcapHeader } from '../gen/pcap.js';

export async function writeSynScan(out: string, count: number): Promise<{ packets: number; bytes: number }> {
  const ws = createWriteStream(out, { highWaterMark: 1 << 20 });
  ws.write(pcapHeader(262144));
  const camMac = Buffer.from('00126d5a0b01', 'hex');
  const routerMac = Buffer.from('e0286d0c1a2b', 'hex');
  const cam = ((192 << 24) | (168 << 16) | (1 << 8) | 50) >>> 0;
  let rnd = 0x9e3779b9;
  const next = (): number => { rnd ^= rnd << 13; rnd ^= rnd >>> 17; rnd ^= rnd << 5; return rnd >>> 0; };
  let ts = Date.UTC(2026, 0, 1) * 1000;
  let bytes = 24;
  const rec = 16 + 60;
  let chunk = Buffer.alloc(rec * 4096);
  let n = 0;
  for (let i = 0; i < count; i++) {
    let dst = next();
    // Public unicast only (Mirai's get_random_ip skips 0/8, 10/8, 127/8, 192.168/16, multicast...; enough here).
    const a = dst >>> 24;
    if (a === 0 || a === 10 || a === 127 || a >= 224 || (dst >>> 16) === 0xc0a8) dst = ((a % 200) + 11) * 16777216 + (dst & 0xffffff);
    const o = n * rec;
    chunk.writeUInt32LE(Math.floor(ts / 1e6), o);
    chunk.writeUInt32LE(ts % 1e6, o + 4);
    chunk.writeUInt32LE(60, o + 8);
    chunk.writeUInt32LE(60, o + 12);
    const f = o + 16;
    routerMac.copy(chunk, f); camMac.copy(chunk, f + 6);
    chunk.writeUInt16BE(0x0800, f + 12);
    chunk[f + 14] = 0x45;
    chunk.writeUInt16BE(40, f + 16);
    chunk.writeUInt16BE(next() & 0xffff, f + 18);
    chunk[f + 22] = 64;
    chunk[f + 23] = 6;
    chunk.writeUInt32BE(cam, f + 26);
    chunk.writeUInt32BE(dst >>> 0, f + 30);
    chunk.writeUInt16BE(1024 + (next() % 60000), f + 34);
    chunk.writeUInt16BE(next() % 10 === 0 ? 2323 : 23, f + 36);
    chunk.writeUInt32BE(dst >>> 0, f + 38);
    chunk.writeUInt32BE(0, f + 42);
    chunk[f + 46] = 0x50;
    chunk[f + 47] = 0x02;
    chunk.writeUInt16BE(next() & 0xffff, f + 48);
    bytes += rec;
    ts += 10;
    if (++n === 4096) {
      if (!ws.write(chunk)) await once(ws, 'drain');
      chunk = Buffer.alloc(rec * 4096);
      n = 0;
    }
  }
  if (n) ws.write(chunk.subarray(0, n * rec));
  ws.end();
  await once(ws, 'finish');
  return { packets: count, bytes };
}
