// pcapng parser: sections in both byte orders, several interfaces, EPB/SPB/PB, if_tsresol and
// if_tsoffset, unknown blocks skipped, and the corrupt/truncated block checks.
import { describe, expect, it } from 'vitest';
import { concat, epb, idb, isb, payload, pb, shb, spb, unknownBlock } from './fixtures.js';
import { parseChunks } from './parse-helper.js';

const T = 1700000000;

/** Two interfaces (Ethernet us, raw IP ns with an offset), an unknown block, SPB, PB and ISB. */
export function twoIfaceFile(le: boolean): Uint8Array {
  const ns = BigInt(T) * 1_000_000_000n + 123_456_789n; // 10^-9 units, above 2^53
  return concat(
    shb(le),
    idb(le, { linktype: 1, snaplen: 65535 }),
    idb(le, { linktype: 101, snaplen: 0, tsresol: 9, tsoffset: 10 }),
    epb(le, 0, 0, 0, payload(1, 60)), // placeholder ts replaced below
    unknownBlock(le, 0x0bad, 13),
    epb(le, 1, Number(ns >> 32n), Number(ns & 0xffffffffn), payload(2, 41), 1500),
    spb(le, 70, payload(3, 70)),
    pb(le, 1, 3, Number(ns >> 32n), Number(ns & 0xffffffffn), payload(4, 20)),
    isb(le, 0, 7),
  );
}

function setEpbTs(bytes: Uint8Array, le: boolean, atBlock: number, us: number): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  dv.setUint32(atBlock + 12, Math.floor(us / 2 ** 32), le);
  dv.setUint32(atBlock + 16, us % 2 ** 32, le);
}

describe('pcapng', () => {
  for (const le of [true, false]) {
    it(`reads two interfaces, SPB, PB and skips unknown blocks (${le ? 'little' : 'big'} endian)`, () => {
      const bytes = twoIfaceFile(le);
      const firstEpb = shb(le).length + idb(le, { linktype: 1, snaplen: 65535 }).length + idb(le, { linktype: 101, snaplen: 0, tsresol: 9, tsoffset: 10 }).length;
      setEpbTs(bytes, le, firstEpb, T * 1e6 + 5);
      const { frames, stats } = parseChunks(bytes);
      expect(stats.error).toBeNull();
      expect(frames.map((f) => [f.iface, f.linktype, f.len, f.hex.length / 2])).toEqual([
        [0, 1, 60, 60],
        [1, 101, 1500, 41],
        [0, 1, 70, 70],
        [1, 101, 20, 20],
      ]);
      const nsUs = (T + 10) * 1e6 + 123456; // 10^-9 units -> us, plus if_tsoffset 10 s
      expect(frames.map((f) => f.ts)).toEqual([T * 1e6 + 5, nsUs, nsUs, nsUs]);
      expect(stats.frames).toBe(4);
      expect(stats.dropped).toBe(3 + 7); // PB drops_count + isb_ifdrop
    });
  }

  it('takes a new byte order and new interfaces in each section', () => {
    const a = concat(shb(true), idb(true, { linktype: 1, snaplen: 100 }), epb(true, 0, 0, 1, payload(1, 10)));
    const b = concat(shb(false), idb(false, { linktype: 113, snaplen: 100 }), idb(false, { linktype: 276, snaplen: 100 }), epb(false, 1, 0, 2, payload(2, 12)));
    const { frames, stats } = parseChunks(concat(a, b));
    expect(stats.error).toBeNull();
    expect(frames.map((f) => [f.iface, f.linktype, f.ts])).toEqual([
      [0, 1, 1],
      [2, 276, 2],
    ]);
  });

  it('understands power-of-two and coarse if_tsresol', () => {
    const bytes = concat(
      shb(true),
      idb(true, { linktype: 1, snaplen: 0, tsresol: 0x80 | 10 }), // 2^-10 s units
      idb(true, { linktype: 1, snaplen: 0, tsresol: 3 }), // milliseconds
      epb(true, 0, 0, 1024 * 5 + 512, payload(1, 8)),
      epb(true, 1, 0, 7001, payload(1, 8)),
    );
    const { frames, stats } = parseChunks(bytes);
    expect(stats.error).toBeNull();
    expect(frames.map((f) => f.ts)).toEqual([5_500_000, 7_001_000]);
  });

  it('cuts an SPB to the interface snaplen', () => {
    const { frames } = parseChunks(concat(shb(true), idb(true, { linktype: 1, snaplen: 32 }), spb(true, 100, payload(1, 100))));
    expect(frames.map((f) => [f.len, f.hex.length / 2])).toEqual([[100, 32]]);
  });

  it('rejects a packet for an interface the section does not have', () => {
    const head = concat(shb(true), idb(true, { linktype: 1, snaplen: 0 }));
    const good = epb(true, 0, 0, 1, payload(1, 8));
    const { frames, stats } = parseChunks(concat(head, good, epb(true, 3, 0, 1, payload(1, 8))));
    expect(frames).toHaveLength(1);
    expect(stats.bad_records).toBe(1);
    expect(stats.error).toBe(`corrupt record at byte ${head.length + good.length}: packet for interface 3, but the section has 1`);
  });

  it('rejects a block length that is not a multiple of 4 or disagrees with its trailer', () => {
    const head = concat(shb(true), idb(true, { linktype: 1, snaplen: 0 }));
    const bad = epb(true, 0, 0, 1, payload(1, 8));
    new DataView(bad.buffer).setUint32(4, 30, true);
    expect(parseChunks(concat(head, bad)).stats.error).toMatch(new RegExp(`^corrupt record at byte ${head.length}: block length 30 `));
    const bad2 = epb(true, 0, 0, 1, payload(1, 8));
    new DataView(bad2.buffer).setUint32(bad2.length - 4, 8, true);
    expect(parseChunks(concat(head, bad2)).stats.error).toMatch(/does not match its trailing copy 8/);
  });

  it('rejects an EPB whose captured length exceeds the original or the block', () => {
    const head = concat(shb(true), idb(true, { linktype: 1, snaplen: 0 }));
    const { stats } = parseChunks(concat(head, epb(true, 0, 0, 1, payload(1, 40), 20)));
    expect(stats.error).toMatch(/captured length 40 exceeds original length 20/);
  });

  it('reports bad magic, bad byte-order magic, a truncated block', () => {
    const s = shb(true);
    s[8] = 0;
    expect(parseChunks(s).stats.error).toMatch(/not a pcapng file: bad byte-order magic/);
    const file = concat(shb(true), idb(true, { linktype: 1, snaplen: 0 }), epb(true, 0, 0, 1, payload(1, 60)));
    const cut = file.length - 10;
    const { frames, stats } = parseChunks(file.subarray(0, cut));
    expect(frames).toHaveLength(0);
    expect(stats.error).toBe(`truncated record (block) at byte ${file.length - epb(true, 0, 0, 1, payload(1, 60)).length}: ${cut - (file.length - epb(true, 0, 0, 1, payload(1, 60)).length)} bytes left at end of file`);
  });
});
