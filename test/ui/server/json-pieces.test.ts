// The store's piecewise JSON (json-pieces.ts): joined, its pieces and chunks are byte for byte JSON.stringify's text,
// on the store's own shapes and on hostile values (unicode, bidi controls, lone surrogates, toJSON, holes, big maps);
// no piece is the whole document; a table changed between chunks still gives valid JSON with every moved entry.
import { describe, expect, it } from 'vitest';
import { CHUNK_CHARS, jsonChunks, jsonPieces } from '../../../ui/server/store/json-pieces.js';

const joined = (v: unknown) => [...jsonPieces(v)].join('');
/** The UTF-8 bytes a save writes: each chunk encoded on its own, as atomic-file.ts does. */
const bytesOf = (v: unknown, chunkChars?: number) => Buffer.concat([...jsonChunks(v, chunkChars)].map((c) => Buffer.from(c, 'utf8')));

/** Strings a capture can put in a store: names from DHCP, mDNS, TLS SNI, HTTP bodies. */
const HOSTILE = [
  '', 'plain', 'quote " backslash \\ slash /', 'controls \u0000\u0001\u0008\t\n\f\r\u001f\u007f',
  'bidi \u202eevil\u202c \u2066iso\u2069 \u200f\u200e \u061c', 'line sep \u2028 para sep \u2029',
  'lone high \ud800 end', 'lone low \udc00 end', 'reversed \udc00\ud800 pair', '\ud800', '\udfff', 'trailing high \udbff',
  'pair 😀 and 𝄞', 'cjk 監視犬 한국어', 'combining e\u0301 \u0300', 'bom \ufeff', 'nonchar \uffff \ufffe', 'nul\u0000in',
  '<script>alert(1)</script>', '__proto__', 'constructor', 'toJSON', '0', '01', '-1', '4294967295', '1e3',
];

/** A store-shaped document: devices with traffic, alerts, advice, names, answers, aliases, history, a baseline. */
function storeDoc(devices: number): Record<string, unknown> {
  const doc: Record<string, unknown> = { version: 1, devices: {}, alerts: {}, advice: {}, names: {}, answers: {}, aliases: {}, settings: { password_hash: 'scrypt$16384$8$1$c2FsdA$aGFzaA' } };
  const d = doc.devices as Record<string, unknown>;
  const h: Record<string, unknown> = {};
  const profiles: unknown[] = [];
  for (let i = 0; i < devices; i++) {
    const mac = `02:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    const name = HOSTILE[i % HOSTILE.length];
    d[mac] = {
      mac, ips: [`192.168.${i >> 8}.${i & 255}`], ipv6: [], vendor: i % 3 ? 'Espressif' : null, model: null, category: 'camera', name, hostname: name,
      confidence: 0.25 + (i % 7) / 10, evidence: [{ source: 'dhcp', detail: `option 12 ${name}` }], first_seen: 1.7e15 + i, last_seen: 1.7e15 + i * 1e6,
      private_mac: i % 5 === 0, traffic: Array.from({ length: 30 }, (_, m) => [1.7e15 + m * 60e6, m * 100 + i, m, 1, 2]),
    };
    (doc.alerts as Record<string, unknown>)[`rule.x|${mac}`] = { id: `rule.x|${mac}`, severity: 'warning', device: mac, title: `t ${name}`, count: i, evidence: [{ detail: name, ts: 1.7e15 }], stored_at: 1_700_000_000_000 };
    if (i % 4 === 0) (doc.names as Record<string, string>)[mac] = `${name} kamer`;
    if (i % 6 === 0) (doc.advice as Record<string, unknown>)[`infected-reset@${mac}`] = { state: 'snoozed', at: 1, until: 2 };
    h[mac] = { periods: [[1, 2]], timeline: [{ ts: 1, kind: 'alert', alert: 'a', severity: 'warning', title: name }], dest: { [name || 'x']: { name, named: true, hours: [[1, 5]], last: 3 } }, other: [], traffic: [[1, 2, 3]] };
    profiles.push([mac, 1, 2, 3, 1, 0, 5, 0, 0, 2, Buffer.alloc(64, i).toString('base64'), Buffer.alloc(64, i + 1).toString('base64')]);
  }
  doc.history = h;
  doc.baseline = { format: 'waakhond.baseline-state', version: 1, watched: 123, families: ['dns', 'tls'], known: Object.keys(d).map((m, i) => [m, i]), devices: profiles };
  doc.act = { quarantine: {}, paused: [] };
  return doc;
}

describe('json-pieces: byte for byte JSON.stringify', () => {
  it('on a store-shaped document (tables, history, baseline) with hostile names, in any chunk size', () => {
    const doc = storeDoc(300);
    const want = JSON.stringify(doc);
    expect(joined(doc)).toBe(want);
    const wantBytes = Buffer.from(want, 'utf8');
    // Chunks end only between pieces: tiny chunk sizes would otherwise split surrogate pairs (U+FFFD in the file).
    for (const size of [1, 7, 1000, CHUNK_CHARS]) expect(bytesOf(doc, size).equals(wantBytes)).toBe(true);
    expect(JSON.parse(joined(doc))).toEqual(JSON.parse(want));
  });

  it('on every hostile string as a value, a key, and a key of a walked table', () => {
    for (const s of HOSTILE) {
      for (const v of [s, [s], { [s]: s }, { t: { [s]: s } }, { t: { [s]: { [s]: [s] } } }, { t: [[s], { [s]: s }] }]) {
        expect(joined(v)).toBe(JSON.stringify(v));
        expect(bytesOf(v, 1).equals(Buffer.from(JSON.stringify(v), 'utf8'))).toBe(true);
      }
    }
    // A "__proto__" own key, as JSON.parse makes from a file or a network body.
    const parsed = JSON.parse('{"t":{"__proto__":{"a":1},"b":2},"__proto__":[1]}') as unknown;
    expect(joined(parsed)).toBe(JSON.stringify(parsed));
  });

  it('leaves out and nulls what JSON.stringify does, at every depth', () => {
    const fn = () => 1;
    const sym = Symbol('s');
    const cases: unknown[] = [
      { a: undefined, b: fn, c: sym, d: 1, e: null },
      { t: { a: undefined, b: fn, c: sym }, u: { x: undefined } },
      [undefined, fn, sym, NaN, Infinity, -Infinity, -0, 1e21, 5e-7, null],
      { t: [undefined, fn, sym, NaN], u: { v: [undefined, [undefined], { w: undefined }] } },
      { [sym]: 1, s: 'only string keys' },
      // eslint-disable-next-line no-sparse-arrays
      [1, , 3], { t: [1, , [, 2]] },
      {}, [], { t: {}, u: [], v: [[]], w: { x: {} } },
      { 2: 'b', 1: 'a', z: 'z', 10: 'c', y: 'y' },
      { t: { 2: 'b', 1: 'a', z: 'z', 10: 'c', y: 'y' } },
      Object.assign(Object.create(null) as object, { a: 1, t: Object.assign(Object.create(null) as object, { b: [2] }) }),
      // A value that is undefined to JSON.stringify at the top: nothing.
      undefined, fn, sym,
      1, 'top', true, null, NaN,
    ];
    for (const v of cases) expect(joined(v)).toBe(JSON.stringify(v) ?? '');
  });

  it('gives toJSON its key and honours boxed values, class instances, Maps and Dates like JSON.stringify', () => {
    class Point { constructor(public x: number, public y: number) {} }
    const keyed = { toJSON: (k: string) => `key:${k}` };
    const gone = { toJSON: () => undefined };
    const v = {
      when: new Date(Date.UTC(2026, 0, 5)), keyed, t: { keyed, gone, arr: [keyed, gone, new Date(0)] }, gone,
      boxed: [new Number(3), new String('s\u202e'), new Boolean(false)], p: new Point(1, 2), m: new Map([[1, 2]]), set: new Set([1]),
      nested: { self: { toJSON: () => ({ inner: keyed }) } },
    };
    expect(joined(v)).toBe(JSON.stringify(v));
    const top = { toJSON: (k: string) => ({ k }) };
    expect(joined(top)).toBe(JSON.stringify(top));
  });

  it('throws where JSON.stringify throws (a cycle, a BigInt): a save fails, it never writes a wrong file', () => {
    const cyc: Record<string, unknown> = { t: {} };
    (cyc.t as Record<string, unknown>).back = cyc;
    expect(() => JSON.stringify(cyc)).toThrow(TypeError);
    expect(() => joined(cyc)).toThrow(TypeError);
    expect(() => joined({ t: { n: 1n } })).toThrow(TypeError);
  });

  it('a large map (20,000 entries) comes out in bounded pieces, never the whole document as one', () => {
    const big: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) big[`k${i}\u202e`] = { i, s: HOSTILE[i % HOSTILE.length], a: [i, i * 2] };
    const doc = { version: 1, devices: big, baseline: { devices: Array.from({ length: 5000 }, (_, i) => [i, 'x'.repeat(100)]) } };
    const want = JSON.stringify(doc);
    let longestPiece = 0;
    let parts = '';
    for (const p of jsonPieces(doc)) { longestPiece = Math.max(longestPiece, p.length); parts += p; }
    expect(parts).toBe(want);
    expect(want.length).toBeGreaterThan(1_000_000);
    // A piece is one entry (one device, one profile), not a table and not the document.
    expect(longestPiece).toBeLessThan(200);
    const chunks = [...jsonChunks(doc)];
    expect(chunks.length).toBeGreaterThan(want.length / (2 * CHUNK_CHARS));
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(CHUNK_CHARS + 200);
  });
});

describe('json-pieces: a table that changes between chunks (a timed save waits for its writes)', () => {
  it('still parses; an entry moved within a table is written at one of its keys; one deleted before it is reached is left out', () => {
    const names: Record<string, string> = {};
    const devices: Record<string, unknown> = {};
    for (let i = 0; i < 2000; i++) {
      names[`m${i}`] = `name ${i} ${'n'.repeat(40)}`;
      devices[`m${i}`] = { i, pad: 'p'.repeat(200) };
    }
    const doc = { version: 1, devices, names };
    const it = jsonChunks(doc, 1024);
    let text = '';
    let step = 0;
    for (let r = it.next(); !r.done; r = it.next()) {
      text += r.value;
      if (++step === 3) {
        // While the devices table is being walked: a device folded into another (m1990 moves to m5000, both
        // not reached yet), a device removed (m1999), and the household names m0 anew (moved key in names,
        // which is not reached yet either).
        devices.m5000 = devices.m1990; delete devices.m1990;
        delete devices.m1999;
        names.renamed = names.m0; delete names.m0;
      }
    }
    expect(step).toBeGreaterThan(10);
    const back = JSON.parse(text) as typeof doc;
    expect(back.devices.m5000).toEqual({ i: 1990, pad: 'p'.repeat(200) });
    expect(back.devices.m1990).toBeUndefined();
    expect(back.devices.m1999).toBeUndefined();
    expect(back.names.renamed).toBe(`name 0 ${'n'.repeat(40)}`);
    expect(back.names.m0).toBeUndefined();
    expect(Object.keys(back.devices)).toHaveLength(1999);
    // The file is then what JSON.stringify gives for the table as it is at the end.
    expect(text).toBe(JSON.stringify(doc));
  });

  it('an entry moved after its table was written stays at its old key (nothing is lost from the file)', () => {
    const names: Record<string, string> = { a: 'A', b: 'B' };
    const devices: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) devices[`d${i}`] = { pad: 'p'.repeat(100) };
    const doc = { names, devices };
    const it = jsonChunks(doc, 512);
    let text = '';
    let step = 0;
    for (let r = it.next(); !r.done; r = it.next()) {
      text += r.value;
      if (++step === 2) { names.z = names.a; delete names.a; }
    }
    const back = JSON.parse(text) as typeof doc;
    expect(back.names).toEqual({ a: 'A', b: 'B' });
  });
});
