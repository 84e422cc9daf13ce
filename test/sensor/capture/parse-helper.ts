// Runs the chunk parsers over in-memory bytes split at given points, copying frames out for comparison.
import { AutoParser } from '../../../sensor/capture/detect.js';
import type { SourceStats } from '../../../sensor/capture/frame.js';

export interface PlainFrame {
  ts: number;
  len: number;
  hex: string;
  linktype: number;
  iface: number;
}

export function hex(d: Uint8Array): string {
  return Buffer.from(d.buffer, d.byteOffset, d.length).toString('hex');
}

/** Parse bytes fed as chunks cut at the given offsets (sorted, within range). */
export function parseChunks(bytes: Uint8Array, cuts: number[] = []): { frames: PlainFrame[]; stats: SourceStats } {
  const p = new AutoParser();
  const frames: PlainFrame[] = [];
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    // Each chunk is its own copy, as a stream would hand it over.
    const chunk = bytes.slice(prev, c);
    prev = c;
    for (const f of p.push(chunk)) frames.push({ ts: f.ts, len: f.len, hex: hex(f.data), linktype: f.linktype, iface: f.iface });
  }
  p.end();
  return { frames, stats: { ...p.stats } };
}
