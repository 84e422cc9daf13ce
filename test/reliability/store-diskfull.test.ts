// Disk full for real: a 1 MiB tmpfs filled up while the store (in-process, then the daemon) saves. The old file must
// stay byte for byte, no temporary may be left, the failure is logged once and shown in /api/health, and saving
// resumes when space frees.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/shared.js';
import { Store, STORE_FILE, validateStore } from '../../ui/server/store/store.js';
import { DEMO_PCAP } from '../../ui/server/daemon.js';
import { device, makeApp } from '../ui/server/fixture.js';
import { bundle, describeTmpfs, fillUp, mountTmpfs, sleep, temporaries } from './durable-helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => { for (const c of cleanups.splice(0).reverse()) c(); });

function fs1m(): string {
  const m = mountTmpfs('1m');
  cleanups.push(m.unmount);
  return m.dir;
}

const mac = (i: number) => `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;

describeTmpfs('store on a full disk (1 MiB tmpfs)', () => {
  it('keeps the old file, leaves no temporary, logs once, shows it in health, and saves again when space frees', async () => {
    const dir = fs1m();
    const logs: string[] = [];
    const store = new Store({ dataDir: dir, log: (m) => logs.push(m), saveDelayMs: 50 });
    store.load();
    for (let i = 0; i < 50; i++) store.upsertDevice(device(mac(i), { hostname: `host-${i}` }));
    store.flush();
    const file = path.join(dir, STORE_FILE);
    const good = readFileSync(file);
    expect(store.saveProblem).toBeNull();

    // ~100 KB more to save than before, and no room for it.
    fillUp(path.join(dir, 'filler'));
    for (let i = 50; i < 400; i++) store.upsertDevice(device(mac(i), { hostname: `host-${i}-${'x'.repeat(200)}` }));
    for (let attempt = 0; attempt < 5; attempt++) store.flush();

    expect(readFileSync(file).equals(good)).toBe(true);
    expect(temporaries(dir)).toEqual([]);
    expect(store.stats.write_errors).toBe(5);
    expect(store.saveProblem).toMatchObject({ code: 'ENOSPC', reason: 'disk full', failures: 5 });
    expect(logs.filter((l) => /cannot save/.test(l))).toHaveLength(1);
    expect(logs.join('\n')).toMatch(/disk full .*previous file is kept/);

    // What a monitor and the dashboard see (the fixture's app, over this store's state).
    const { app, store: apiStore } = makeApp();
    Object.defineProperty(apiStore, 'saveProblem', { get: () => store.saveProblem });
    const h = await (await app.request('/api/health')).json() as { saving: { ok: boolean; problem: string; since: string } };
    expect(h.saving).toMatchObject({ ok: false, problem: 'disk full', code: 'ENOSPC' });
    expect(Date.parse(h.saving.since)).toBeLessThanOrEqual(Date.now());

    unlinkSync(path.join(dir, 'filler'));
    store.flush();
    expect(store.saveProblem).toBeNull();
    expect(logs.filter((l) => /saving works again \(5 failed attempt/.test(l))).toHaveLength(1);
    const back = JSON.parse(readFileSync(file, 'utf8'));
    expect(validateStore(back)).toBeNull();
    expect(Object.keys(back.devices)).toHaveLength(400);
    expect(temporaries(dir)).toEqual([]);
    store.close();
  });

  it('a store that grows while the disk is nearly full never replaces the good file with a short one', () => {
    const dir = fs1m();
    const logs: string[] = [];
    const store = new Store({ dataDir: dir, log: (m) => logs.push(m), maxBytes: 4 * 1024 * 1024 });
    store.load();
    // Leave ~100 KB free, then grow the store past it step by step (the issue: 24,576 of 100,000 bytes written, then renamed).
    writeFileSync(path.join(dir, 'filler'), Buffer.alloc(900 * 1024));
    const file = path.join(dir, STORE_FILE);
    let lastGood: Buffer | null = null;
    let failed = 0;
    for (let i = 0; i < 600; i += 20) {
      for (let j = i; j < i + 20; j++) store.upsertDevice(device(mac(j), { hostname: `h${j}-${'y'.repeat(150)}` }));
      store.flush();
      if (store.saveProblem) failed++;
      else lastGood = readFileSync(file);
      // Whatever happened, the file on disk parses and is the last one that was saved whole.
      const onDisk = readFileSync(file);
      expect(validateStore(JSON.parse(onDisk.toString('utf8')))).toBeNull();
      expect(onDisk.equals(lastGood!)).toBe(true);
      expect(temporaries(dir)).toEqual([]);
    }
    expect(failed).toBeGreaterThan(0);
    expect(logs.filter((l) => /cannot save/.test(l))).toHaveLength(1);
    store.close();
  });
});

describeTmpfs('connection log on a full disk (1 MiB tmpfs)', () => {
  it('keeps the old connlog.bin, leaves no temporary, reports it, and saves again when space frees', async () => {
    const { ConnLog } = await import('../../sensor/connlog.js');
    const { saveConnLog, loadConnLog, connlogSaveProblem } = await import('../../ui/server/exports/connlog-file.js');
    const dir = fs1m();
    const logs: string[] = [];
    const log = new ConnLog(50_000);
    const T0 = 1_700_000_000_000_000;
    const add = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        // Random remotes and ports: the worst case for compression.
        log.add({ ts: T0 + i * 1000, end_ts: T0 + i * 1000, mac: mac(i % 300), local_ip: `192.168.1.${i % 250}`, local_port: (i * 7919) % 65536,
          remote_ip: `${(i * 2654435761) >>> 24}.${(i * 40503) & 255}.${(i * 97) & 255}.${i & 255}`, remote_port: (i * 31) % 65536, proto: 'tcp' });
      }
    };
    add(0, 1000);
    saveConnLog(log, dir, { log: (m) => logs.push(m) });
    const file = path.join(dir, 'connlog.bin');
    const good = readFileSync(file);
    fillUp(path.join(dir, 'filler'));
    add(1000, 40_000);
    for (let attempt = 0; attempt < 3; attempt++) expect(() => saveConnLog(log, dir, { log: (m) => logs.push(m) })).toThrow(/ENOSPC/);
    expect(readFileSync(file).equals(good)).toBe(true);
    expect(temporaries(dir)).toEqual([]);
    expect(connlogSaveProblem(dir)).toMatchObject({ reason: 'disk full', failures: 3 });
    expect(logs.filter((l) => /connlog: cannot save/.test(l))).toHaveLength(1);
    expect(loadConnLog(dir).stats.entries).toBe(1000);
    unlinkSync(path.join(dir, 'filler'));
    saveConnLog(log, dir, { log: (m) => logs.push(m) });
    expect(connlogSaveProblem(dir)).toBeNull();
    expect(loadConnLog(dir).stats.entries).toBe(40_000);
    expect(temporaries(dir)).toEqual([]);
  });
});

describeTmpfs('the daemon on a full disk (1 MiB tmpfs)', () => {
  it('keeps saving the store at every change until the disk fills, then says "disk full" in /api/health, and recovers', async () => {
    const dir = fs1m();
    const entry = await bundle(path.join(PROJECT_ROOT, 'test/ui/server/daemon-entry.ts'));
    const cfg = path.join(path.dirname(entry), 'config.yaml');
    writeFileSync(cfg, 'store:\n  save_delay_s: 0.2\n  news_save_s: 0.2\n  lazy_save_s: 0.2\n');
    const child = spawn(process.execPath, [entry, '--pcap', path.join(PROJECT_ROOT, DEMO_PCAP), '--realtime', '--loop', '--host', '127.0.0.1', '--port', '0', '--data', dir, '--config', cfg],
      { env: { ...process.env, WAAKHOND_HOME: PROJECT_ROOT, WAAKHOND_PASSWORD: 'pw-for-the-disk-test' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    cleanups.push(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
    const waitFor = async <T>(what: string, f: () => Promise<T | null> | T | null, ms = 30_000): Promise<T> => {
      const t0 = Date.now();
      for (;;) {
        const v = await f();
        if (v !== null) return v;
        if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; stderr:\n${err}`);
        await sleep(100);
      }
    };
    const url = await waitFor('the dashboard', () => /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err)?.[1] ?? null);
    const health = async () => (await (await fetch(`${url}api/health`)).json()) as { saving: { ok: boolean; problem: string | null; failures: number } };
    const file = path.join(dir, STORE_FILE);
    await waitFor('a first save', () => (existsSync(file) ? true : null));
    expect((await health()).saving.ok).toBe(true);

    fillUp(path.join(dir, 'filler'));
    const h = await waitFor('health to say disk full with retries', async () => {
      const x = await health();
      return x.saving.problem === 'disk full' && x.saving.failures >= 3 ? x : null;
    });
    expect(h.saving.ok).toBe(false);
    // The file the daemon could not replace is whole, and stays so while it retries.
    const kept = readFileSync(file);
    expect(validateStore(JSON.parse(kept.toString('utf8')))).toBeNull();
    const seen = new Set(temporaries(dir));
    await sleep(1500);
    expect(readFileSync(file).equals(kept)).toBe(true);
    // A temporary may exist for the instant of a save; none may outlive it.
    expect(temporaries(dir).filter((t) => seen.has(t))).toEqual([]);
    expect(err.match(/store: cannot save/g)).toHaveLength(1);

    rmSync(path.join(dir, 'filler'));
    await waitFor('saving to work again', async () => ((await health()).saving.ok ? true : null), 60_000);
    expect(err).toMatch(/store: saving works again/);
    expect(readFileSync(file).equals(kept)).toBe(false);
    expect(validateStore(JSON.parse(readFileSync(file, 'utf8')))).toBeNull();

    child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    expect(temporaries(dir)).toEqual([]);
  }, 120_000);
});
