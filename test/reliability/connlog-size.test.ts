// The connection log's size on disk: real connections from the shared captures and a worst case (every address and
// port different), old JSON against the compact format, and the format's bound (never more than its columns).
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnLog } from '../../sensor/connlog.js';
import { decodeConnLog, encodeConnLog } from '../../sensor/connlog-codec.js';
import { analyzeFiles } from '../../sensor/analyze.js';
import type { WaakhondEvent } from '../../sensor/events.js';
import { describeShared, PCAPS_DIR } from '../helpers/shared.js';
import { startConnLog } from '../../ui/server/exports/connlog-service.js';
import { tmp } from './durable-helpers.js';

/** Every query answer of `a` is the same from `b` (sampled remotes). */
function sameAnswers(a: ConnLog, b: ConnLog): void {
  const recs = a.toJSON().records;
  for (let k = 0; k < recs.length; k += Math.max(1, Math.floor(recs.length / 50))) {
    const q = { remote_ip: recs[k].remote_ip, at: recs[k].ts, window_s: 5 };
    expect(b.query(q)).toEqual(a.query(q));
  }
}

function figures(what: string, log: ConnLog): { bin: number; json: number } {
  const bin = encodeConnLog(log).length;
  const json = Buffer.byteLength(JSON.stringify(log.toJSON()));
  const n = log.stats.entries;
  console.log(`connlog ${what}: ${n} records, JSON ${json} bytes (${(json / n).toFixed(1)} B/record), connlog.bin ${bin} bytes (${(bin / n).toFixed(1)} B/record), ${(json / bin).toFixed(1)}x smaller`);
  return { bin, json };
}

describe('connection log size', () => {
  it('worst case, 100,000 records with no two addresses or ports alike: within the column bound, round-trips', () => {
    const log = new ConnLog(100_000);
    let x = 0x9e3779b9;
    const rnd = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
    let ts = 1_700_000_000_000_000;
    for (let i = 0; i < 100_000; i++) {
      ts += rnd() % 5_000_000;
      const r = rnd();
      log.add({ ts, end_ts: ts + (rnd() % 600_000_000), mac: `02:00:00:${((r >> 16) & 255).toString(16).padStart(2, '0')}:00:${(r & 255).toString(16).padStart(2, '0')}`,
        local_ip: `192.168.${(r >> 8) & 255}.${r & 255}`, local_port: rnd() & 0xffff, remote_ip: `${1 + (rnd() % 223)}.${rnd() & 255}.${rnd() & 255}.${rnd() & 255}`,
        remote_port: rnd() & 0xffff, proto: i % 7 ? 'tcp' : 'udp' });
    }
    const { bin } = figures('worst case', log);
    // 36 bytes of columns a record + header; deflate never grows incompressible data by more than a few bytes a block.
    expect(bin).toBeLessThanOrEqual(40 + 100_000 * 36 * 1.01);
    const back = decodeConnLog(encodeConnLog(log));
    expect(back.stats).toMatchObject({ entries: 100_000, ignored: 0 });
    sameAnswers(log, back);
  });

  it('IPv6 entries and a ring that overwrote keep their addresses and "complete" flag', () => {
    const log = new ConnLog(1000);
    for (let i = 0; i < 1500; i++) {
      log.add({ ts: 1.7e15 + i * 1e6, end_ts: 1.7e15 + i * 1e6, mac: i % 3 ? '02:00:00:00:00:01' : null, local_ip: i % 2 ? `fd00::${i.toString(16)}` : '192.168.1.2',
        local_port: 40000 + i, remote_ip: i % 2 ? `2001:db8::${i.toString(16)}` : `8.8.${i >> 8}.${i & 255}`, remote_port: 443, proto: 'tcp' });
    }
    const back = decodeConnLog(encodeConnLog(log));
    expect(back.stats).toMatchObject({ entries: 1000, overwritten: 500, ignored: 0 });
    expect(back.query({ remote_ip: '2001:db8::1', at: 1.7e15 + 1e6, window_s: 1 }).complete).toBe(false);
    sameAnswers(log, back);
  });

  it('a damaged file is refused with its reason, never half-loaded', () => {
    const log = new ConnLog(100);
    log.add({ ts: 1.7e15, end_ts: 1.7e15, mac: null, local_ip: '192.168.1.2', local_port: 1, remote_ip: '8.8.8.8', remote_port: 53, proto: 'udp' });
    const good = encodeConnLog(log);
    const flipped = Buffer.from(good);
    flipped[good.length - 3] ^= 0x40;
    expect(() => decodeConnLog(flipped)).toThrow(/checksum/);
    expect(() => decodeConnLog(good.subarray(0, good.length - 1))).toThrow(/truncated/);
    const v9 = Buffer.from(good);
    v9.writeUInt16LE(9, 4);
    expect(() => decodeConnLog(v9)).toThrow(/version 9/);
    const huge = Buffer.from(good);
    huge.writeUInt32LE(0xffffffff, 12);
    expect(() => decodeConnLog(huge)).toThrow(/header is corrupt/);
  });
});

describe('connection log file migration', () => {
  it("an older version's connlog.json loads, and the first save replaces it with connlog.bin", () => {
    const dir = tmp();
    const old = new ConnLog(100);
    for (let i = 0; i < 30; i++) old.add({ ts: 1.7e15 + i, end_ts: 1.7e15 + i, mac: null, local_ip: '192.168.1.2', local_port: i, remote_ip: '9.9.9.9', remote_port: 53, proto: 'udp' });
    writeFileSync(path.join(dir, 'connlog.json'), JSON.stringify(old.toJSON()));
    const logs: string[] = [];
    const s = startConnLog({ dataDir: dir, saveEveryS: 0, log: (m) => logs.push(m) });
    expect(logs.join('\n')).toMatch(/30 connections loaded from connlog\.json/);
    s.close();
    expect(existsSync(path.join(dir, 'connlog.json'))).toBe(false);
    const again = startConnLog({ dataDir: dir, saveEveryS: 0, log: (m) => logs.push(m) });
    expect(logs.join('\n')).toMatch(/30 connections loaded from connlog\.bin/);
    sameAnswers(old, again.connlog);
    // Nothing new: closing does not write the same bytes again.
    const before = statSync(path.join(dir, 'connlog.bin')).ino;
    again.close();
    expect(statSync(path.join(dir, 'connlog.bin')).ino).toBe(before); // a rename would give a new inode
  });
});

describeShared('connection log size on real captures', () => {
  it('outbound connections of the shared captures: bytes per record, JSON against connlog.bin', async () => {
    const dirs = ['slips', 'ndpi/pcap', 'stopddos'].map((d) => path.join(PCAPS_DIR, d));
    const files = dirs.flatMap((d) => readdirSync(d).filter((f) => /\.(pcap|pcapng|cap)$/.test(f)).map((f) => path.join(d, f)));
    files.sort((a, b) => statSync(a).size - statSync(b).size);
    const log = new ConnLog(100_000);
    await analyzeFiles(files, { sinks: [(e: WaakhondEvent) => log.observe(e)], ruleDirs: [] });
    expect(log.stats.entries).toBeGreaterThan(1000);
    const { bin, json } = figures(`real (${files.length} captures)`, log);
    expect(bin).toBeLessThan(json);
    sameAnswers(log, decodeConnLog(encodeConnLog(log)));
  }, 300_000);
});
