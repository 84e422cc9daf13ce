// File and stream sources: format by magic, chunked streams, unreadable files as stats.error, close().
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { openCaptureFile, openCaptureStream } from '../../../sensor/capture/file.js';
import type { FrameSource } from '../../../sensor/capture/frame.js';
import { buildPcap, concat, epb, idb, payload, shb } from './fixtures.js';
import { hex, parseChunks } from './parse-helper.js';

const dir = mkdtempSync(path.join(tmpdir(), 'wk-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function drain(src: FrameSource): Promise<{ ts: number; hex: string; iface: number }[]> {
  const out: { ts: number; hex: string; iface: number }[] = [];
  for await (const batch of src) for (const f of batch) out.push({ ts: f.ts, hex: hex(f.data), iface: f.iface });
  return out;
}

const pcapBytes = buildPcap({ le: false, nano: true, pkts: Array.from({ length: 50 }, (_, i) => ({ sec: 1000 + i, frac: i * 1000, data: payload(i, 20 + i * 7) })) });
const ngBytes = concat(shb(true), idb(true, { linktype: 1, snaplen: 0 }), idb(true, { linktype: 113, snaplen: 0 }), ...Array.from({ length: 30 }, (_, i) => epb(true, i % 2, 0, i, payload(i, 33 + i))));

describe('openCaptureFile', () => {
  it('reads pcap and pcapng files by magic', async () => {
    const a = path.join(dir, 'a.pcap');
    const b = path.join(dir, 'b.whatever');
    writeFileSync(a, pcapBytes);
    writeFileSync(b, ngBytes);
    const sa = openCaptureFile(a);
    const fa = await drain(sa);
    expect(sa.stats).toMatchObject({ frames: 50, error: null });
    expect(sa.format).toBe('pcap');
    expect(fa[49]).toEqual({ ts: 1049 * 1e6 + 49, hex: hex(payload(49, 20 + 49 * 7)), iface: 0 });
    const sb = openCaptureFile(b);
    const fb = await drain(sb);
    expect(sb.format).toBe('pcapng');
    expect(fb.map((f) => f.iface)).toEqual(Array.from({ length: 30 }, (_, i) => i % 2));
  });

  it('joins records split across its 1 MiB reads, including records larger than half a buffer', async () => {
    // ~5 MB: many odd-sized records, a few of 200 KB and two of 700 KB (snaplen 2 MiB allows them).
    const pkts = [];
    for (let i = 0; i < 4000; i++) {
      const len = i % 997 === 0 ? 700_000 : i % 101 === 0 ? 200_000 : 60 + ((i * 37) % 1400);
      pkts.push({ sec: 1600000000 + i, frac: i, data: payload(i, len) });
    }
    const bytes = buildPcap({ le: true, snaplen: 2 << 20, pkts });
    expect(bytes.length).toBeGreaterThan(5_000_000);
    const f = path.join(dir, 'big.pcap');
    writeFileSync(f, bytes);
    const s = openCaptureFile(f);
    const got = await drain(s);
    expect(s.stats.error).toBeNull();
    expect(got).toEqual(parseChunks(bytes).frames.map((x) => ({ ts: x.ts, hex: x.hex, iface: x.iface })));
  });

  it('reads the same frames in the daemon\'s smaller chunks, records larger than a chunk included', async () => {
    const pkts = [];
    for (let i = 0; i < 3000; i++) {
      const len = i % 499 === 0 ? 300_000 : i % 97 === 0 ? 9000 : 60 + ((i * 37) % 1400);
      pkts.push({ sec: 1600000000 + i, frac: i, data: payload(i, len) });
    }
    const bytes = buildPcap({ le: true, snaplen: 2 << 20, pkts });
    const f = path.join(dir, 'small-chunks.pcap');
    writeFileSync(f, bytes);
    const want = parseChunks(bytes).frames.map((x) => ({ ts: x.ts, hex: x.hex, iface: x.iface }));
    for (const chunkBytes of [4096, 1 << 18]) {
      const s = openCaptureFile(f, { chunkBytes });
      const got = await drain(s);
      expect(s.stats.error, String(chunkBytes)).toBeNull();
      expect(got.length, String(chunkBytes)).toBe(3000);
      expect(got, String(chunkBytes)).toEqual(want);
    }
  });

  it('keeps a batch\'s frame bytes valid while the next batch is processed (read-ahead reuses buffers)', async () => {
    const pkts = Array.from({ length: 6000 }, (_, i) => ({ sec: 1600000000 + i, frac: i, data: payload(i, 300 + ((i * 53) % 1200)) }));
    const bytes = buildPcap({ le: true, pkts });
    const f = path.join(dir, 'window.pcap');
    writeFileSync(f, bytes);
    const want = parseChunks(bytes).frames.map((x) => x.hex);
    const got: string[] = [];
    let prev: Iterable<{ data: Uint8Array }> | null = null;
    let batches = 0;
    for await (const batch of openCaptureFile(f)) {
      batches++;
      // Read the previous batch only now, after the source has read ahead again.
      if (prev) for (const fr of prev) got.push(hex(fr.data));
      prev = batch;
      // Give the read-ahead time to land before looking.
      await new Promise((r) => setTimeout(r, 5));
    }
    for (const fr of prev ?? []) got.push(hex(fr.data));
    expect(batches).toBeGreaterThan(3);
    expect(got).toEqual(want);
  });

  it('gives a missing file, a directory and a non-capture as stats.error, not a throw', async () => {
    const missing = openCaptureFile(path.join(dir, 'nope.pcap'));
    expect(await drain(missing)).toEqual([]);
    expect(missing.stats.error).toMatch(/^cannot read .*nope\.pcap: ENOENT/);
    const isDir = openCaptureFile(dir);
    expect(await drain(isDir)).toEqual([]);
    expect(isDir.stats.error).toMatch(/EISDIR/);
    const txt = path.join(dir, 'readme.txt');
    writeFileSync(txt, 'hello world, not a capture');
    const t = openCaptureFile(txt);
    expect(await drain(t)).toEqual([]);
    expect(t.stats.error).toBe('not a pcap or pcapng capture: bad magic 0x68656c6c');
  });

  it('delivers the frames before a truncated record, then the error', async () => {
    const f = path.join(dir, 'trunc.pcap');
    writeFileSync(f, pcapBytes.subarray(0, pcapBytes.length - 5));
    const s = openCaptureFile(f);
    expect(await drain(s)).toHaveLength(49);
    expect(s.stats.error).toMatch(/^truncated record at byte \d+: \d+ bytes left at end of file$/);
  });
});

describe('openCaptureStream', () => {
  it('reads a stream delivered in small, odd chunks (as tcpdump -U -w - does)', async () => {
    const chunks: Buffer[] = [];
    for (let o = 0; o < ngBytes.length; o += 7) chunks.push(Buffer.from(ngBytes.subarray(o, o + 7)));
    const s = openCaptureStream(Readable.from(chunks), 'stdin');
    const frames = await drain(s);
    expect(frames).toHaveLength(30);
    expect(frames[29].hex).toBe(hex(payload(29, 62)));
    expect(s.name).toBe('stdin');
    expect(s.stats.error).toBeNull();
  });

  it('stops when closed', async () => {
    let pushed = 0;
    const endless = new Readable({
      read() {
        // The header once, then an endless run of records.
        this.push(pushed++ === 0 ? Buffer.from(pcapBytes) : Buffer.from(pcapBytes.subarray(24)));
      },
    });
    const s = openCaptureStream(endless, 'endless');
    let n = 0;
    for await (const batch of s) {
      n += batch.length;
      if (n >= 200) s.close();
    }
    expect(n).toBeGreaterThanOrEqual(200);
    expect(s.stats.error).toBeNull();
    expect(endless.destroyed).toBe(true);
  });
});
