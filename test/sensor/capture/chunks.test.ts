// Properties of the streaming parsers: any chunking gives the same frames, any truncation gives a
// prefix of them and never throws, random bytes never throw.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildPcap, concat, epb, idb, payload, shb, spb, unknownBlock } from './fixtures.js';
import { parseChunks } from './parse-helper.js';

const pktArb = fc.record({
  sec: fc.integer({ min: 0, max: 0xffffffff }),
  frac: fc.integer({ min: 0, max: 999_999 }),
  len: fc.integer({ min: 0, max: 300 }),
  extra: fc.integer({ min: 0, max: 100 }),
  seed: fc.nat(1000),
});

/** Offsets where a record or block ends: the only places a file can be cut without an error. */
function ends(parts: Uint8Array[]): Set<number> {
  const out = new Set<number>();
  let o = 0;
  for (const p of parts) out.add((o += p.length));
  return out;
}

/** A random valid capture: classic pcap (either order, us/ns) or pcapng with 1-3 interfaces. */
const fileArb = fc.oneof(
  fc.record({ le: fc.boolean(), nano: fc.boolean(), pkts: fc.array(pktArb, { maxLength: 12 }) }).map(({ le, nano, pkts }) => {
    const file = buildPcap({ le, nano, pkts: pkts.map((p) => ({ sec: p.sec, frac: p.frac, data: payload(p.seed, p.len), orig: p.len + p.extra })) });
    const bounds = new Set<number>([24]);
    let o = 24;
    for (const p of pkts) bounds.add((o += 16 + p.len));
    return { file, bounds };
  }),
  fc
    .record({
      le: fc.boolean(),
      nIf: fc.integer({ min: 1, max: 3 }),
      blocks: fc.array(fc.record({ kind: fc.constantFrom('epb', 'spb', 'unknown'), ifc: fc.nat(2), p: pktArb }), { maxLength: 12 }),
    })
    .map(({ le, nIf, blocks }) => {
      const parts = [shb(le)];
      for (let i = 0; i < nIf; i++) parts.push(idb(le, { linktype: [1, 113, 276][i], snaplen: 0, tsresol: [6, 9, 0x80 | 20][i] }));
      for (const b of blocks) {
        const d = payload(b.p.seed, b.p.len);
        if (b.kind === 'epb') parts.push(epb(le, b.ifc % nIf, b.p.sec, b.p.frac, d, b.p.len + b.p.extra));
        else if (b.kind === 'spb') parts.push(spb(le, b.p.len, d));
        else parts.push(unknownBlock(le, 0x80000000 + b.p.seed, b.p.len));
      }
      return { file: concat(...parts), bounds: ends(parts) };
    }),
);

describe('capture parser properties', () => {
  it('any split into chunks yields identical frames', () => {
    fc.assert(
      fc.property(fileArb, fc.array(fc.nat(), { maxLength: 8 }), ({ file }, rawCuts) => {
        const whole = parseChunks(file);
        expect(whole.stats.error).toBeNull();
        const cuts = [...new Set(rawCuts.map((c) => c % (file.length + 1)))].sort((a, b) => a - b);
        const split = parseChunks(file, cuts);
        expect(split.stats.error).toBeNull();
        expect(split.frames).toEqual(whole.frames);
        // Byte-at-a-time is the worst case for the carry logic.
        if (file.length < 600) expect(parseChunks(file, Array.from({ length: file.length }, (_, i) => i)).frames).toEqual(whole.frames);
      }),
      { numRuns: 300 },
    );
  });

  it('truncating a valid file at any byte never throws and yields a prefix of the frames', () => {
    fc.assert(
      fc.property(fileArb, fc.nat(), fc.array(fc.nat(), { maxLength: 3 }), ({ file, bounds }, rawCut, rawCuts) => {
        const full = parseChunks(file);
        const cut = rawCut % (file.length + 1);
        const cuts = [...new Set(rawCuts.map((c) => c % (cut + 1)))].sort((a, b) => a - b);
        const t = parseChunks(file.subarray(0, cut), cuts);
        expect(t.frames).toEqual(full.frames.slice(0, t.frames.length));
        // A cut between records is a shorter valid file; a cut anywhere else must be reported.
        if (bounds.has(cut)) expect(t.stats.error).toBeNull();
        else expect(t.stats.error).toMatch(/^(truncated|empty capture)/);
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes after a valid header never throw', () => {
    const heads = [buildPcap({ le: true, pkts: [] }), buildPcap({ le: false, nano: true, pkts: [] }), concat(shb(true), idb(true, { linktype: 1, snaplen: 0 }))];
    fc.assert(
      fc.property(fc.constantFrom(...heads), fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 4 }), (head, junk, rawCuts) => {
        const file = concat(head, junk);
        const cuts = [...new Set(rawCuts.map((c) => c % (file.length + 1)))].sort((a, b) => a - b);
        const r = parseChunks(file, cuts);
        for (const f of r.frames) expect(f.hex.length / 2).toBeLessThanOrEqual(f.len);
        expect(r.frames.length).toBe(r.stats.frames);
      }),
      { numRuns: 500 },
    );
  });
});
