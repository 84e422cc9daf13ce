// The daemon's connection-log service: sink + route + saving, and lookups that survive a restart.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startConnLog } from '../../ui/server/exports/connlog-service.js';
import type { TcpSynEvent } from '../../sensor/events.js';
import { encodeConnLog } from '../../sensor/connlog-codec.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function syn(ts: number, dst: string): TcpSynEvent {
  return {
    type: 'tcp_syn', ts, src_mac: 'b8:27:eb:c7:e9:c9', dst_mac: null, src_ip: '192.168.2.16', dst_ip: dst, direction: 'outbound',
    src_port: 40006, dst_port: 23, seq: 1, window: 1, ttl: 64, options_length: 0, mirai_seq: false, ecn: false,
  };
}

describe('connlog service', () => {
  it('a timed save writes off the event loop what a synchronous one writes, and loads back the same', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'waakhond-cls-'));
    dirs.push(dir);
    const a = startConnLog({ dataDir: dir, log: () => {}, saveEveryS: 0 });
    for (let i = 0; i < 3000; i++) a.observe(syn(1_520_629_064_000_000 + i * 1000, `45.0.${i >> 8}.${i & 255}`));
    a.saveTimed();
    for (let i = 0; i < 200 && readdirSync(dir).filter((n) => n === 'connlog.bin').length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const timed = readFileSync(path.join(dir, 'connlog.bin'));
    expect(encodeConnLog(a.connlog).equals(timed)).toBe(true);
    const b = startConnLog({ dataDir: dir, log: () => {}, saveEveryS: 0 });
    expect(b.connlog.query({ remote_ip: '45.0.11.183', at: 1_520_629_066_999_000, window_s: 1 }).matches).toHaveLength(1);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a synchronous save made while a timed one is in flight stands', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'waakhond-cls-'));
    dirs.push(dir);
    const a = startConnLog({ dataDir: dir, log: () => {}, saveEveryS: 0 });
    a.observe(syn(1_520_629_064_000_000, '45.0.0.1'));
    a.saveTimed(); // compresses in the thread pool: still in flight when save() below runs
    a.observe(syn(1_520_629_065_000_000, '45.0.0.2'));
    a.save();
    await new Promise((r) => setTimeout(r, 200));
    const b = startConnLog({ dataDir: dir, log: () => {}, saveEveryS: 0 });
    expect(b.connlog.stats.entries).toBe(2);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('answers GET /api/lookup, saves on close and loads again at start', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'waakhond-cls-'));
    dirs.push(dir);
    const logs: string[] = [];
    const a = startConnLog({ dataDir: dir, log: (m) => logs.push(m), describe: () => ({ name: 'Pi', vendor: 'Raspberry Pi', model: null, category: 'computer' }) });
    a.observe(syn(1_520_629_064_781_449, '67.189.205.92'));
    const res = await a.routes.request('/api/lookup?remote=67.189.205.92:23&at=1520629064&window=10');
    expect(res.status).toBe(200);
    expect((await res.json()).devices[0]).toMatchObject({ mac: 'b8:27:eb:c7:e9:c9', name: 'Pi' });
    a.close();
    const b = startConnLog({ dataDir: dir, capacity: 10, log: (m) => logs.push(m) });
    expect(logs.join('\n')).toMatch(/1 connections loaded/);
    expect(b.connlog.capacity).toBe(10);
    expect(b.connlog.query({ remote_ip: '67.189.205.92', at: 1_520_629_064_000_000, window_s: 10 }).matches).toHaveLength(1);
    b.close();
  });

  it('a corrupt file is reported and the log starts empty', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'waakhond-cls-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'connlog.json'), '{ broken');
    const logs: string[] = [];
    const s = startConnLog({ dataDir: dir, log: (m) => logs.push(m) });
    expect(logs.join('\n')).toMatch(/connlog\.json.*kept as connlog\.json\.corrupt-\d+, starting empty/);
    expect(s.connlog.stats.entries).toBe(0);
    s.close();
    const aside = readdirSync(dir).find((f) => f.startsWith('connlog.json.corrupt-'))!;
    expect(readFileSync(path.join(dir, aside), 'utf8')).toBe('{ broken');
  });
});
