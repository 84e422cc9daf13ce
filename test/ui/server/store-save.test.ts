// The store's save written piece by piece (issue #15): the file is byte for byte JSON.stringify(store.data) from
// flush() and from a timed save; a file written by JSON.stringify (older versions) loads and is not rewritten when
// unchanged; an unchanged timed save is not written; the size cap counts UTF-8 bytes; a value that cannot be
// serialised is a save problem, not a crash; a device folded between a timed save's chunks loses nothing.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store, STORE_FILE, validateStore } from '../../../ui/server/store/store.js';
import type { TrafficEvent } from '../../../sensor/events.js';
import { device, miraiAlert } from './fixture.js';
import { scratchDir } from '../../helpers/scratch.js';

const tmp = () => scratchDir('waakhond-store-save-');
/** Stores of a test, closed after it (a failed test must not leave timed saves running into the next one's hooks). */
const open_: Store[] = [];
afterEach(() => { for (const s of open_.splice(0)) s.close(); });
function newStore(opts: ConstructorParameters<typeof Store>[0]): Store {
  const s = new Store(opts);
  open_.push(s);
  return s;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mac = (i: number) => `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
/** Names a capture can bring: bidi controls, lone surrogates, emoji, CJK, controls. */
const NAMES = ['kamer \u202eevil\u202c', 'lone \ud800 high', 'lone \udc00 low', '😀 camera', '監視犬 한국어', 'ctl \u0000\u001f"\\', 'sep \u2028\u2029', 'plain'];
const traffic = (m: string, ts: number): TrafficEvent => ({ type: 'traffic', ts, mac: m, ip: null, out_bytes: 1500, in_bytes: 60, out_pkts: 3, in_pkts: 1 }) as unknown as TrafficEvent;
const T = 1_700_000_000_000_000;

/** A household's store: devices with an hour of traffic, alerts, names, advice, answers, history, a baseline. */
function fill(s: Store, devices: number): void {
  for (let i = 0; i < devices; i++) {
    const m = mac(i);
    s.upsertDevice(device(m, { hostname: NAMES[i % NAMES.length], last_seen: T + i }));
    for (let min = 0; min < 60; min++) s.recordTraffic(traffic(m, T + min * 60e6 + i));
    if (i % 3 === 0) s.upsertAlert({ ...miraiAlert(m), id: `mirai|${m}`, title: `alert ${NAMES[i % NAMES.length]}` });
    if (i % 4 === 0) s.setName(m, `${NAMES[(i + 1) % NAMES.length]} ${i}`);
    if (i % 5 === 0) s.setAdvice(`infected-reset@${m}`, { state: 'snoozed', at: 1, until: 2 });
  }
  s.setAnswer(mac(1), { category: 'camera', vendor: 'Acme \u202e', name: 'deurbel 🔔', at: 1, anchors: { client_id: null, hostname: null } });
  s.setBaseline({ format: 'waakhond.baseline-state', version: 1, watched: 5, families: ['dns'], known: [[mac(0), 1]],
    devices: Array.from({ length: devices }, (_, i) => [mac(i), 1, 2, 3, 1, 0, 5, 0, 0, 2, Buffer.alloc(64, i).toString('base64'), 'AA==']) });
}

const fileOf = (dir: string) => path.join(dir, STORE_FILE);
const temporaries = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

describe('store save, piece by piece', () => {
  it('flush() and a timed save write exactly JSON.stringify(store.data), and the size stat is the file size', async () => {
    const dir = tmp();
    const s = newStore({ dataDir: dir, fsync: true, saveDelayMs: 20, newsSaveMs: 20, lazySaveMs: 20 });
    s.load();
    fill(s, 300);
    s.flush();
    const want = Buffer.from(JSON.stringify(s.data), 'utf8');
    expect(want.length).toBeGreaterThan(4 * 65536); // several chunks
    expect(readFileSync(fileOf(dir)).equals(want)).toBe(true);
    expect(s.stats.bytes).toBe(want.length);
    expect(s.adapter.wear.bytes_written).toBe(want.length);

    s.setName(mac(7), 'nieuwe naam \ud83d'); // a lone high surrogate at the very end of a name
    await sleep(300);
    expect(s.stats.writes).toBe(2);
    const after = readFileSync(fileOf(dir));
    expect(after.equals(Buffer.from(JSON.stringify(s.data), 'utf8'))).toBe(true);
    expect(JSON.parse(after.toString('utf8')).names[mac(7)]).toBe('nieuwe naam \ud83d');
    expect(temporaries(dir)).toEqual([]);
    s.close();
  });

  it('a file written by JSON.stringify (as before) loads, and saving it unchanged writes nothing, flush or timed', async () => {
    const dir = tmp();
    const a = newStore({ dataDir: dir, fsync: false });
    a.load();
    fill(a, 120);
    writeFileSync(fileOf(dir), JSON.stringify(a.data));
    const ino = statSync(fileOf(dir)).ino;

    const b = newStore({ dataDir: dir, fsync: false, saveDelayMs: 20 });
    b.load();
    expect(b.data).toEqual(JSON.parse(JSON.stringify(a.data)));
    b.setName(mac(0), 'x');
    b.setName(mac(0), a.data.names[mac(0)]); // back to what is on disk
    b.flush();
    expect(b.adapter.wear).toMatchObject({ writes: 0, unchanged: 1 });
    // The timed save's unchanged check too.
    b.setName(mac(0), 'y');
    b.setName(mac(0), a.data.names[mac(0)]);
    await sleep(150);
    expect(b.adapter.wear).toMatchObject({ writes: 0, unchanged: 2 });
    expect(statSync(fileOf(dir)).ino).toBe(ino);
    expect(temporaries(dir)).toEqual([]);
    // And a real change is written.
    b.setName(mac(0), 'echt nieuw');
    b.flush();
    expect(b.adapter.wear.writes).toBe(1);
    expect(statSync(fileOf(dir)).ino).not.toBe(ino);
  });

  it('caps the file at maxBytes in UTF-8 bytes, not in characters', () => {
    const dir = tmp();
    const max = 128 * 1024;
    const s = newStore({ dataDir: dir, fsync: false, maxBytes: max });
    s.load();
    // 3-byte characters: under maxBytes counted in characters, over it in bytes (both asserted below).
    for (let i = 0; i < 40; i++) {
      s.upsertDevice(device(mac(i), { hostname: `監視犬 ${i}` }));
      for (let min = 0; min < 5; min++) s.recordTraffic(traffic(mac(i), T + min * 60e6));
      s.upsertAlert({ ...miraiAlert(mac(i)), id: `a|${i}`, summary: '監視犬'.repeat(400) });
    }
    expect(JSON.stringify(s.data).length).toBeLessThan(max);
    expect(Buffer.byteLength(JSON.stringify(s.data))).toBeGreaterThan(max);
    s.flush();
    const size = statSync(fileOf(dir)).size;
    expect(size).toBeLessThanOrEqual(max);
    expect(s.stats.bytes).toBe(size);
    expect(s.stats.trimmed_for_size).toBeGreaterThan(0);
  });

  it('a value that cannot be serialised fails the save (old file kept, no temporary, logged, retried), never crashes', async () => {
    const dir = tmp();
    const logs: string[] = [];
    const s = newStore({ dataDir: dir, fsync: false, saveDelayMs: 20, log: (m) => logs.push(m) });
    s.load();
    fill(s, 50);
    s.flush();
    const good = readFileSync(fileOf(dir));
    // A BigInt deep in the act state (a bug elsewhere): JSON.stringify would throw too.
    s.setAct({ quarantine: { [mac(1)]: { since: 1n } } });
    expect(() => s.flush()).not.toThrow();
    expect(s.stats.write_errors).toBe(1);
    expect(logs.filter((l) => /save failed: .*BigInt/.test(l))).toHaveLength(1);
    expect(readFileSync(fileOf(dir)).equals(good)).toBe(true);
    expect(temporaries(dir)).toEqual([]);
    // The timed save: rejected inside, retried with back-off, still no crash and no temporary.
    s.setName(mac(2), 'tijdens de fout');
    await sleep(150);
    expect(s.stats.write_errors).toBeGreaterThanOrEqual(2);
    expect(s.stats.writes).toBe(1);
    expect(readFileSync(fileOf(dir)).equals(good)).toBe(true);
    expect(temporaries(dir)).toEqual([]);
    s.setAct({ quarantine: {} });
    s.flush();
    expect(s.saveProblem).toBeNull();
    expect(JSON.parse(readFileSync(fileOf(dir), 'utf8')).names[mac(2)]).toBe('tijdens de fout');
    s.close();
  });

  it('a timed save that fails between chunks (disk full mid-file, or a bad value reached late) keeps the old file, leaves no temporary', async () => {
    const dir = tmp();
    const logs: string[] = [];
    const s = newStore({ dataDir: dir, fsync: true, saveDelayMs: 20, log: (m) => logs.push(m) });
    s.load();
    fill(s, 300);
    s.flush();
    const good = readFileSync(fileOf(dir));
    const fh = await open(path.join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(fh) as { write: (...a: unknown[]) => Promise<unknown> };
    await fh.close();
    const write = proto.write;
    let calls = 0;
    try {
      // ENOSPC on the third chunk, after two were written.
      proto.write = function (this: unknown, ...args: unknown[]) {
        if (++calls === 3) return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
        return write.apply(this, args);
      };
      s.setName(mac(3), 'eerste poging');
      await sleep(150);
      expect(calls).toBeGreaterThanOrEqual(3);
      expect(s.saveProblem).toMatchObject({ code: 'ENOSPC', reason: 'disk full' });
      expect(readFileSync(fileOf(dir)).equals(good)).toBe(true);
      expect(temporaries(dir)).toEqual([]);
      // A value that cannot be serialised, put in after the save measured the store (at its second write): the
      // walk reaches it late, the write fails, the temporary goes.
      calls = 0;
      proto.write = function (this: unknown, ...args: unknown[]) {
        if (++calls === 2) s.data.act = { since: 1n };
        return write.apply(this, args);
      };
      const errors = s.stats.write_errors;
      s.flush(); // saves now (a synchronous write, not through the FileHandle): health is good again, no back-off timer
      expect(s.stats.write_errors).toBe(errors);
      s.data.act = undefined;
      s.setName(mac(3), 'tweede poging');
      await sleep(150);
      expect(calls).toBeGreaterThanOrEqual(2);
      expect(s.stats.write_errors).toBe(errors + 1);
      expect(temporaries(dir)).toEqual([]);
      expect(JSON.parse(readFileSync(fileOf(dir), 'utf8')).names[mac(3)]).toBe('eerste poging');
    } finally {
      proto.write = write;
    }
    s.data.act = undefined;
    s.flush();
    expect(s.saveProblem).toBeNull();
    expect(JSON.parse(readFileSync(fileOf(dir), 'utf8')).names[mac(3)]).toBe('tweede poging');
    expect(temporaries(dir)).toEqual([]);
  });

  it('a device folded between a timed save\'s chunks loses nothing the household said, and the next save writes it whole', async () => {
    const dir = tmp();
    const s = newStore({ dataDir: dir, fsync: false, saveDelayMs: 20, newsSaveMs: 400, lazySaveMs: 400 });
    s.load();
    fill(s, 300);
    s.flush();
    const other = mac(296);
    const key = mac(297);
    s.setName(other, 'de deurbel');
    s.setAdvice(`update-firmware@${other}`, { state: 'done', at: 5 });

    // Fold the device while the timed save is between its third and fourth chunk (the devices table is being walked;
    // names and advice are not reached yet).
    const fh = await open(path.join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(fh) as { write: (...a: unknown[]) => Promise<unknown> };
    await fh.close();
    const write = proto.write;
    let calls = 0;
    let folded = false;
    proto.write = function (this: unknown, ...args: unknown[]) {
      if (++calls === 4 && !folded) { folded = s.fold(other, key); }
      return write.apply(this, args);
    };
    try {
      s.setName(mac(5), 'trigger'); // the household's change: a timed save within saveDelayMs
      await sleep(200);
    } finally {
      proto.write = write;
    }
    expect(folded).toBe(true);
    expect(s.stats.writes).toBe(2);
    const mid = JSON.parse(readFileSync(fileOf(dir), 'utf8')) as typeof s.data;
    expect(validateStore(mid)).toBeNull();
    expect(mid.names[mac(5)]).toBe('trigger');
    // The name and the advice state are in the file under the old key or the new one.
    expect(mid.names[key] ?? mid.names[other]).toBe('de deurbel');
    expect(mid.advice[`update-firmware@${key}`] ?? mid.advice[`update-firmware@${other}`]).toEqual({ state: 'done', at: 5 });
    // The fold made the store dirty: the next save writes it as it is.
    await sleep(700);
    expect(s.stats.writes).toBe(3);
    expect(readFileSync(fileOf(dir)).equals(Buffer.from(JSON.stringify(s.data), 'utf8'))).toBe(true);
    expect(temporaries(dir).filter((n) => n !== 'probe')).toEqual([]);
    s.close();
  });
});
