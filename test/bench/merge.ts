// Writes one long Ethernet pcap from many captures (for the benchmark): each input is shifted in time
// to follow the previous one, and the whole set is repeated until the output reaches a target size.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { openCaptureFile } from '../../sensor/capture/file.js';
import { LINKTYPE_ETHERNET } from '../../sensor/capture/frame.js';
import { pcapHeader } from '../gen/pcap.js';

export async function mergeCaptures(inputs: string[], out: string, targetBytes: number): Promise<{ packets: number; bytes: number }> {
  const ws = createWriteStream(out, { highWaterMark: 1 << 20 });
  ws.write(pcapHeader(262144, LINKTYPE_ETHERNET));
  let written = 24;
  let packets = 0;
  let clock = Date.UTC(2026, 0, 1) * 1000; // microseconds
  let lap = 0;
  while (written < targetBytes) {
    let any = false;
    for (const file of inputs) {
      if (written >= targetBytes) break;
      const src = openCaptureFile(file);
      let base = -1;
      let last = clock;
      const parts: Buffer[] = [];
      let partBytes = 0;
      for await (const batch of src) {
        for (const f of batch) {
          if (f.linktype !== LINKTYPE_ETHERNET) continue;
          if (base < 0) base = f.ts;
          // Keep each file's own pacing, but not its oddities (clock jumps of hours or backwards).
          const delta = f.ts - base;
          const ts = delta >= 0 && delta < 3600e6 ? Math.max(last, clock + delta) : last + 1000;
          last = Math.max(last, ts);
          const rec = Buffer.allocUnsafe(16 + f.data.length);
          rec.writeUInt32LE(Math.floor(ts / 1e6), 0);
          rec.writeUInt32LE(ts % 1e6, 4);
          rec.writeUInt32LE(f.data.length, 8);
          rec.writeUInt32LE(f.len, 12);
          rec.set(f.data, 16);
          parts.push(rec);
          partBytes += rec.length;
          packets++;
        }
        if (partBytes > 1 << 20) {
          if (!ws.write(Buffer.concat(parts))) await once(ws, 'drain');
          written += partBytes;
          parts.length = 0;
          partBytes = 0;
        }
      }
      if (parts.length > 0) {
        if (!ws.write(Buffer.concat(parts))) await once(ws, 'drain');
        written += partBytes;
      }
      if (base >= 0) any = true;
      clock = last + 1_000_000;
    }
    if (!any) break;
    lap++;
  }
  ws.end();
  await once(ws, 'finish');
  return { packets, bytes: written };
}
