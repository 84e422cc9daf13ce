// A small libpcap file writer (classic format, microsecond timestamps, LINKTYPE_ETHERNET) for generated traffic.
import { writeFileSync } from 'node:fs';

export interface PcapRecord {
  /** Capture time, microseconds since the epoch. */
  ts: number;
  data: Uint8Array;
}

/** The 24-byte global header of a classic pcap file (microsecond timestamps, little-endian). */
export function pcapHeader(snaplen = 65535, linktype = 1): Buffer {
  const out = Buffer.alloc(24);
  out.writeUInt32LE(0xa1b2c3d4, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeInt32LE(0, 8);
  out.writeUInt32LE(0, 12);
  out.writeUInt32LE(snaplen, 16);
  out.writeUInt32LE(linktype, 20);
  return out;
}

/** Serialise records (sorted by ts, stable) as a pcap file: https://www.tcpdump.org/manpages/pcap-savefile.5.txt */
export function pcapBytes(records: PcapRecord[], snaplen = 65535): Buffer {
  const sorted = records.map((r, i) => ({ r, i })).sort((a, b) => a.r.ts - b.r.ts || a.i - b.i).map((x) => x.r);
  let size = 24;
  for (const r of sorted) size += 16 + Math.min(r.data.length, snaplen);
  const out = Buffer.alloc(size);
  pcapHeader(snaplen).copy(out, 0);
  let o = 24;
  for (const r of sorted) {
    const cap = Math.min(r.data.length, snaplen);
    const sec = Math.floor(r.ts / 1e6);
    out.writeUInt32LE(sec, o);
    out.writeUInt32LE(Math.round(r.ts - sec * 1e6), o + 4);
    out.writeUInt32LE(cap, o + 8);
    out.writeUInt32LE(r.data.length, o + 12);
    out.set(r.data.subarray(0, cap), o + 16);
    o += 16 + cap;
  }
  return out;
}

export function writePcap(path: string, records: PcapRecord[]): number {
  const buf = pcapBytes(records);
  writeFileSync(path, buf);
  return buf.length;
}
