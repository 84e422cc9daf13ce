// The store: survives kill -9 at random moments, moves a corrupt file aside, prunes by age, caps its tables and size.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { Store, STORE_FILE, validateStore } from '../../../ui/server/store/store.js';
import type { AtomicJsonFile } from '../../../ui/server/store/atomic-file.js';
import { device, miraiAlert } from './fixture.js';
import { scratchDir } from '../../helpers/scratch.js';

const tmp = () => scratchDir('waakhond-store-');
const DAY = 86_400_000_000;

describe('kill -9', () => {
  it('leaves a store that always parses, at any moment', async () => {
    const dir = tmp();
    // Node 20 cannot run TypeScript: bundle the writer once with esbuild.
    const writer = path.join(tmp(), 'writer.mjs');
    await build({ entryPoints: [path.join(import.meta.dirname, 'store-crash-writer.ts')], bundle: true, platform: 'node', format: 'esm', outfile: writer, logLevel: 'error' });
    const rounds = 12;
    let lastCount = 0;
    for (let r = 0; r < rounds; r++) {
      const child = spawn(process.execPath, [writer, dir, r % 2 ? 'nofsync' : 'fsync'], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      });
      await new Promise((res) => setTimeout(res, 20 + Math.random() * 200));
      const exited = new Promise((res) => child.once('exit', res));
      child.kill('SIGKILL');
      await exited;
      const text = readFileSync(path.join(dir, STORE_FILE), 'utf8');
      const data = JSON.parse(text) as unknown;
      expect(validateStore(data)).toBeNull();
      const count = Object.keys((data as { devices: object }).devices).length;
      expect(count).toBeGreaterThanOrEqual(lastCount);
      lastCount = count;
    }
    expect(lastCount).toBeGreaterThan(rounds);
    // No corrupt file was ever set aside.
    expect(readdirSync(dir).filter((f) => f.includes('corrupt'))).toEqual([]);
  }, 120_000);
});

describe('corrupt store', () => {
  for (const [what, content] of [['truncated JSON', '{"version":1,"devices":{"a'], ['not JSON', '\u0000\u0000garbage'], ['wrong shape', '[1,2,3]'], ['unknown version', '{"version":99}']] as const) {
    it(`${what}: moved aside (kept) with a log line, clean start`, () => {
      const dir = tmp();
      writeFileSync(path.join(dir, STORE_FILE), content);
      const logs: string[] = [];
      const s = new Store({ dataDir: dir, log: (m) => logs.push(m), fsync: false });
      s.load();
      expect(Object.keys(s.data.devices)).toEqual([]);
      const aside = readdirSync(dir).filter((f) => f.startsWith(`${STORE_FILE}.corrupt-`));
      expect(aside).toHaveLength(1);
      expect(readFileSync(path.join(dir, aside[0]), 'utf8')).toBe(content);
      expect(logs.join('\n')).toMatch(/moved it aside to .*corrupt-.* \(kept\)/);
      s.upsertDevice(device('02:00:00:00:00:01'));
      s.flush();
      expect(validateStore(JSON.parse(readFileSync(path.join(dir, STORE_FILE), 'utf8')))).toBeNull();
    });
  }
});

describe('retention and caps', () => {
  it('prunes old alerts and unseen devices by capture time, keeping named devices', () => {
    const s = new Store({ dataDir: tmp(), fsync: false, alertRetentionDays: 7, deviceRetentionDays: 30 });
    s.load();
    const now = 1_800_000_000_000_000;
    s.upsertDevice(device('02:00:00:00:00:01', { last_seen: now - 40 * DAY }));
    s.upsertDevice(device('02:00:00:00:00:02', { last_seen: now - 40 * DAY }));
    s.upsertDevice(device('02:00:00:00:00:03', { last_seen: now }));
    s.setName('02:00:00:00:00:02', 'grandma tablet');
    s.upsertAlert({ ...miraiAlert('02:00:00:00:00:03'), id: 'old', last_seen: now - 8 * DAY });
    s.upsertAlert({ ...miraiAlert('02:00:00:00:00:03'), id: 'new', last_seen: now - 1 * DAY });
    expect(s.prune(now)).toEqual({ alerts: 1, devices: 1 });
    expect(Object.keys(s.data.devices).sort()).toEqual(['02:00:00:00:00:02', '02:00:00:00:00:03']);
    expect(Object.keys(s.data.alerts)).toEqual(['new']);
  });

  it('caps devices (least recently seen out) and the file size', () => {
    const dir = tmp();
    const s = new Store({ dataDir: dir, fsync: false, maxDevices: 20, maxBytes: 64 * 1024 });
    s.load();
    for (let i = 0; i < 50; i++) {
      const mac = `02:00:00:00:00:${i.toString(16).padStart(2, '0')}`;
      s.upsertDevice(device(mac, { last_seen: 1_700_000_000_000_000 + i * 1e6, hostname: 'h'.repeat(100) }));
      for (let m = 0; m < 120; m++) {
        s.recordTraffic({ type: 'traffic', ts: 1_600_000_000_000_000 + m * 60e6, interval: 1e6, mac, ip: null, out_pkts: 1, out_bytes: 100, out_tcp_syn: 0, out_tcp_ack_only: 0, out_udp: 0, out_udp_512: 0, out_gre: 0, out_icmp_echo: 0, out_udp_vse: 0, out_udp_vse_dst: 0, out_distinct_dst: 1, out_distinct_dport: 1, in_pkts: 1, in_bytes: 100, in_tcp_syn: 0, in_udp: 0, in_distinct_src: 1 });
      }
    }
    expect(Object.keys(s.data.devices)).toHaveLength(20);
    expect(s.stats.evicted_devices).toBe(30);
    expect(s.data.devices['02:00:00:00:00:31']).toBeDefined();
    expect(s.data.devices['02:00:00:00:00:00']).toBeUndefined();
    s.flush();
    expect(readFileSync(path.join(dir, STORE_FILE)).length).toBeLessThanOrEqual(64 * 1024);
    expect(s.stats.trimmed_for_size).toBeGreaterThan(0);
  });

  it('traffic keeps last seen current and fills a per-minute series', () => {
    const s = new Store({ dataDir: tmp(), fsync: false, trafficPoints: 3 });
    s.load();
    const mac = '02:00:00:00:00:01';
    s.upsertDevice(device(mac, { last_seen: 1e15 }));
    const tr = (ts: number, out: number) => s.recordTraffic({ type: 'traffic', ts, interval: 1e6, mac, ip: null, out_pkts: 1, out_bytes: out, out_tcp_syn: 0, out_tcp_ack_only: 0, out_udp: 0, out_udp_512: 0, out_gre: 0, out_icmp_echo: 0, out_udp_vse: 0, out_udp_vse_dst: 0, out_distinct_dst: 1, out_distinct_dport: 1, in_pkts: 2, in_bytes: 10, in_tcp_syn: 0, in_udp: 0, in_distinct_src: 1 });
    tr(1e15 + 1e6, 100);
    tr(1e15 + 2e6, 50);
    expect(s.data.devices[mac].last_seen).toBe(1e15 + 2e6);
    for (let m = 1; m <= 4; m++) tr(1e15 + m * 60e6, m);
    const t = s.data.devices[mac].traffic;
    expect(t).toHaveLength(3);
    expect(t.map((p) => p[1])).toEqual([2, 3, 4]);
    const first = Math.floor(1e15 / 60e6) * 60e6;
    expect(t[0][0]).toBe(first + 2 * 60e6);
  });

  it('coalesces writes: many changes, one write per delay', async () => {
    const dir = tmp();
    const s = new Store({ dataDir: dir, fsync: false, saveDelayMs: 50 });
    s.load();
    for (let i = 0; i < 100; i++) s.upsertDevice(device('02:00:00:00:00:01', { last_seen: 1e15 + i }));
    expect(existsSync(path.join(dir, STORE_FILE))).toBe(false);
    await new Promise((r) => setTimeout(r, 120));
    expect(s.stats.writes).toBe(1);
    expect(JSON.parse(readFileSync(path.join(dir, STORE_FILE), 'utf8')).devices['02:00:00:00:00:01'].last_seen).toBe(1e15 + 99);
  });

  it('a timed save writes off the event loop; a flush() made while it is in flight stands, and no temporary is left', async () => {
    const dir = tmp();
    const s = new Store({ dataDir: dir, fsync: true, saveDelayMs: 1 });
    s.load();
    // Hold the timed save at the start of its write until the synchronous flush below has run.
    const adapter = (s as unknown as { adapter: AtomicJsonFile<unknown> }).adapter;
    const write = adapter.writeAsync.bind(adapter);
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let begun!: () => void;
    const started = new Promise<void>((r) => { begun = r; });
    adapter.writeAsync = async (data, hash, current) => { begun(); await gate; return write(data, hash, current); };
    const mac = '02:00:00:00:00:02';
    s.upsertDevice(device(mac, { last_seen: 1e15 }));
    s.setName(mac, 'eerste');
    await started; // the timed save has the store with 'eerste'
    // The household renames the device and the daemon stops: the synchronous flush writes the newer store,
    // and the timed save, coming to its rename later, must not put the older one back.
    s.setName(mac, 'tweede');
    s.flush();
    release();
    await new Promise((r) => setTimeout(r, 100));
    expect(JSON.parse(readFileSync(path.join(dir, STORE_FILE), 'utf8')).names[mac]).toBe('tweede');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('changes made while a timed save is in flight are written by the next one', async () => {
    const dir = tmp();
    const s = new Store({ dataDir: dir, fsync: true, saveDelayMs: 1 });
    s.load();
    const mac = '02:00:00:00:00:03';
    s.upsertDevice(device(mac, { last_seen: 1e15 }));
    for (let i = 0; i < 20; i++) {
      s.setName(mac, `naam ${i}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(JSON.parse(readFileSync(path.join(dir, STORE_FILE), 'utf8')).names[mac]).toBe('naam 19');
    expect(s.stats.writes).toBeGreaterThan(1);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
