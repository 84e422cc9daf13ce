// Classic pcap parser: both byte orders, micro/nanosecond magic, sanity checks and truncation.
import { describe, expect, it } from 'vitest';
import { buildPcap, payload } from './fixtures.js';
import { parseChunks } from './parse-helper.js';
import { PcapParser } from '../../../sensor/capture/pcap.js';

const pkts = [
  { sec: 1700000000, frac: 123456, data: payload(1, 60) },
  { sec: 1700000001, frac: 999999, data: payload(2, 1514), orig: 1514 },
  { sec: 1700000002, frac: 0, data: payload(3, 40), orig: 1500 }, // snaplen-cut
];

describe('pcap', () => {
  for (const le of [true, false]) {
    it(`reads a ${le ? 'little' : 'big'}-endian microsecond file`, () => {
      const { frames, stats } = parseChunks(buildPcap({ le, pkts, linktype: 113 }));
      expect(stats.error).toBeNull();
      expect(stats.frames).toBe(3);
      expect(stats.bytes).toBe(60 + 1514 + 1500);
      expect(frames.map((f) => f.ts)).toEqual([1700000000123456, 1700000001999999, 1700000002000000]);
      expect(frames.map((f) => f.len)).toEqual([60, 1514, 1500]);
      expect(frames[2].hex).toBe(Buffer.from(payload(3, 40)).toString('hex'));
      expect(frames.every((f) => f.linktype === 113 && f.iface === 0)).toBe(true);
    });

    it(`reads a ${le ? 'little' : 'big'}-endian nanosecond file as microseconds`, () => {
      const ns = [
        { sec: 1700000000, frac: 123456789, data: payload(1, 60) },
        { sec: 1700000000, frac: 999, data: payload(2, 60) },
      ];
      const { frames, stats } = parseChunks(buildPcap({ le, nano: true, pkts: ns }));
      expect(stats.error).toBeNull();
      expect(frames.map((f) => f.ts)).toEqual([1700000000123456, 1700000000000000]);
    });
  }

  it('views the chunk instead of copying each frame', () => {
    const bytes = buildPcap({ le: true, pkts });
    const p = new PcapParser();
    const frames = p.push(bytes);
    expect(frames).toHaveLength(3);
    expect(frames.data).toBe(bytes);
    expect(frames.off[0]).toBe(24 + 16);
    expect(frames.frame(0).data.buffer).toBe(bytes.buffer);
    expect(frames.frame(0).data.byteOffset).toBe(24 + 16);
  });

  it('rejects a bad magic with a clear error', () => {
    const bytes = buildPcap({ le: true, pkts });
    bytes[0] = 0x12;
    const { frames, stats } = parseChunks(bytes);
    expect(frames).toHaveLength(0);
    expect(stats.error).toMatch(/bad magic 0x12c3b2a1/);
  });

  it('rejects an unsupported version', () => {
    const { stats } = parseChunks(buildPcap({ le: true, pkts, version: 1 }));
    expect(stats.error).toMatch(/unsupported pcap version 1\.4/);
  });

  it('stops at a record whose incl_len exceeds 256 KiB, after delivering the earlier ones', () => {
    const bytes = buildPcap({ le: true, pkts });
    const second = 24 + 16 + 60;
    new DataView(bytes.buffer).setUint32(second + 8, 300000, true);
    new DataView(bytes.buffer).setUint32(second + 12, 300000, true);
    const { frames, stats } = parseChunks(bytes, [50, 130]);
    expect(frames).toHaveLength(1);
    expect(stats.bad_records).toBe(1);
    expect(stats.error).toBe(`corrupt record at byte ${second}: incl_len 300000 exceeds snaplen 65535 and 262144`);
  });

  it('stops at a record whose incl_len exceeds orig_len', () => {
    const bytes = buildPcap({ le: false, pkts });
    const second = 24 + 16 + 60;
    new DataView(bytes.buffer).setUint32(second + 12, 100, false);
    const { frames, stats } = parseChunks(bytes);
    expect(frames).toHaveLength(1);
    expect(stats.error).toBe(`corrupt record at byte ${second}: incl_len 1514 exceeds orig_len 100`);
  });

  it('reports a truncated last record with its offset and keeps the earlier frames', () => {
    const bytes = buildPcap({ le: true, pkts });
    const third = 24 + 16 + 60 + 16 + 1514;
    const { frames, stats } = parseChunks(bytes.subarray(0, third + 20), [1000]);
    expect(frames).toHaveLength(2);
    expect(stats.error).toBe(`truncated record at byte ${third}: 20 bytes left at end of file`);
    expect(stats.bad_records).toBe(1);
  });

  it('reports a truncated and an empty file header', () => {
    expect(parseChunks(buildPcap({ le: true, pkts: [] }).subarray(0, 10)).stats.error).toMatch(/truncated file header/);
    expect(parseChunks(new Uint8Array(0)).stats.error).toMatch(/empty capture/);
    const empty = parseChunks(buildPcap({ le: true, pkts: [] }));
    expect(empty.stats.error).toBeNull();
    expect(empty.frames).toHaveLength(0);
  });
});
