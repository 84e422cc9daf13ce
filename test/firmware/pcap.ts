// Tiny classic-pcap writer and reader for the firmware tests (tcpdump.org savefile format).

export interface Rec { sec: number; frac: number; data: Buffer }

/** A pcap file: magic a1b2c3d4 (microseconds) or a1b23c4d (nanoseconds), either byte order. */
export function writePcap(recs: Rec[], opts: { le?: boolean; nanos?: boolean; linktype?: number } = {}): Buffer {
  const le = opts.le ?? true;
  const h = Buffer.alloc(24);
  const w32 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const w16 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  w32(h, opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(h, 2, 4);
  w16(h, 4, 6);
  w32(h, 262144, 16);
  w32(h, opts.linktype ?? 1, 20);
  const parts: Buffer[] = [h];
  for (const r of recs) {
    const rh = Buffer.alloc(16);
    w32(rh, r.sec, 0); w32(rh, r.frac, 4); w32(rh, r.data.length, 8); w32(rh, r.data.length, 12);
    parts.push(rh, r.data);
  }
  return Buffer.concat(parts);
}

export function readPcap(buf: Buffer): { le: boolean; nanos: boolean; linktype: number; recs: Rec[]; trailing: number } {
  const magicLE = buf.readUInt32LE(0);
  const le = magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d;
  const r32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const magic = r32(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error('not pcap');
  const recs: Rec[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const caplen = r32(off + 8);
    if (off + 16 + caplen > buf.length) break;
    recs.push({ sec: r32(off), frac: r32(off + 4), data: buf.subarray(off + 16, off + 16 + caplen) });
    off += 16 + caplen;
  }
  return { le, nanos: magic === 0xa1b23c4d, linktype: r32(20), recs, trailing: buf.length - off };
}

/** An Ethernet/IPv4/UDP frame (checksums zero: valid for UDP over IPv4). */
export function udpFrame(i: number): Buffer {
  const payload = Buffer.from(`waakhond test ${i}`);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40000 + (i % 1000), 0); udp.writeUInt16BE(9999, 2); udp.writeUInt16BE(8 + payload.length, 4);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45; ip.writeUInt16BE(20 + 8 + payload.length, 2); ip[8] = 64; ip[9] = 17;
  Buffer.from([10, 213, 7, 2]).copy(ip, 12); Buffer.from([10, 213, 7, 1]).copy(ip, 16);
  let sum = 0;
  for (let k = 0; k < 20; k += 2) sum += ip.readUInt16BE(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  const eth = Buffer.from([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00]);
  return Buffer.concat([eth, ip, udp, payload]);
}
