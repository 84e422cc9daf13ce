// The daemon as a process: serves a capture, keeps its store across SIGTERM, starts clean past a corrupt store, refuses bad flags.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleEntry } from '../../helpers/bundle-entry.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../helpers/shared.js';
import { DEMO_PCAP } from '../../../ui/server/daemon.js';
import { STORE_FILE } from '../../../ui/server/store/store.js';
import { scratchDir } from '../../helpers/scratch.js';
import { waitForLog } from '../../helpers/wait-log.js';

let entry: string;
const tmp = () => scratchDir('waakhond-daemon-');

beforeAll(async () => {
  // Node 20 cannot run TypeScript: bundle the entry like the real dist/waakhond.mjs (data found via WAAKHOND_HOME).
  entry = path.join(tmp(), 'daemon.mjs');
  await bundleEntry('test/ui/server/daemon-entry.ts', entry);
}, 60_000);

interface Run { child: ChildProcess; stderr: () => string; exited: Promise<number | null> }

function run(args: string[], env: Record<string, string> = {}, stdinFile?: string): Run {
  const stdin = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
  const child = spawn(process.execPath, [entry, ...args], { env: { ...process.env, WAAKHOND_HOME: PROJECT_ROOT, ...env }, stdio: [stdin, 'pipe', 'pipe'] });
  if (typeof stdin === 'number') closeSync(stdin);
  let err = '';
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => err, exited };
}

function waitFor(r: Run, re: RegExp, ms = 30_000): Promise<RegExpMatchArray> {
  return waitForLog(r.stderr, re, ms);
}

describe('waakhond run', () => {
  it('serves the capture, generates a password once (0600), flushes the store on SIGTERM and exits 0', async () => {
    const data = tmp();
    const r = run(['--pcap', path.join(PROJECT_ROOT, DEMO_PCAP), '--host', '127.0.0.1', '--port', '0', '--data', data], { WAAKHOND_PASSWORD: '' });
    const [, url] = await waitFor(r, /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/);
    const [, pw] = await waitFor(r, /the dashboard password is (\S+)/);
    await waitFor(r, /capture: finished/);
    const pwFile = path.join(data, 'initial-password');
    expect(readFileSync(pwFile, 'utf8').trim()).toBe(pw);
    expect(statSync(pwFile).mode & 0o777).toBe(0o600);
    // The hash, never the password, is in the store.
    const store = readFileSync(path.join(data, STORE_FILE), 'utf8');
    expect(store).not.toContain(pw);
    expect(store).toMatch(/"password_hash":"scrypt\$/);
    const health = await fetch(`${url}api/health`);
    // A file that ran out is "ended" (no longer live), with its last packet's time.
    expect(await health.json()).toMatchObject({ ok: true, capture: 'ended', capture_error: null, last_packet: expect.stringMatching(/^20\d\d-/) });
    const login = await fetch(`${url}api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: pw }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const devices = await (await fetch(`${url}api/devices`, { headers: { cookie } })).json() as { devices: { category: string; status: string }[] };
    expect(devices.devices.find((d) => d.category === 'camera')?.status).toBe('infected');
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    expect(r.stderr()).toMatch(/SIGTERM: flushing the store/);
    const saved = JSON.parse(readFileSync(path.join(data, STORE_FILE), 'utf8')) as { devices: object; alerts: object };
    expect(Object.keys(saved.devices).length).toBe(devices.devices.length);
    expect(Object.keys(saved.alerts).length).toBeGreaterThan(0);
    // A second start keeps the password and does not show one again.
    const r2 = run(['--pcap', path.join(PROJECT_ROOT, DEMO_PCAP), '--host', '127.0.0.1', '--port', '0', '--data', data], { WAAKHOND_PASSWORD: '' });
    await waitFor(r2, /capture: finished/);
    expect(r2.stderr()).not.toMatch(/dashboard password is/);
    r2.child.kill('SIGINT');
    expect(await r2.exited).toBe(0);
  }, 90_000);

  it('moves a corrupt store aside, keeps it, and starts clean', async () => {
    const data = tmp();
    writeFileSync(path.join(data, STORE_FILE), '{"version":1,"devi');
    const r = run(['--pcap', path.join(PROJECT_ROOT, DEMO_PCAP), '--host', '127.0.0.1', '--port', '0', '--data', data], { WAAKHOND_PASSWORD: 'pw-for-this-test' });
    await waitFor(r, /capture: finished/);
    expect(r.stderr()).toMatch(/not valid JSON .*moved it aside to .*corrupt-/);
    const aside = readdirSync(data).filter((f) => f.includes('.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(data, aside[0]), 'utf8')).toBe('{"version":1,"devi');
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  }, 60_000);

  it('refuses bad flags with exit 2 and a reason', async () => {
    for (const [args, reason] of [
      [['--pcap'], /--pcap needs a value/],
      [['--pcap', 'a', '--stdin'], /choose one source/],
      [['--port', 'http'], /--port: not a port number/],
      [['--loop'], /--realtime and --loop go with --pcap/],
      [['--bogus'], /unknown option --bogus/],
      // A flag that cannot apply is an error, not silently ignored.
      [['--pcap', 'a.pcap', '--filter', 'tcp'], /--filter goes with --iface/],
      [['--stdin', '--filter', 'tcp'], /--filter goes with --iface/],
    ] as const) {
      const r = run([...args]);
      expect(await r.exited, args.join(' ')).toBe(2);
      expect(r.stderr()).toMatch(reason);
    }
  }, 60_000);

  it('a missing capture file is a failed start: exit 1 and the reason, no empty dashboard', async () => {
    const data = tmp();
    const r = run(['--pcap', path.join(data, 'nope.pcap'), '--host', '127.0.0.1', '--port', '0', '--data', data], { WAAKHOND_PASSWORD: 'x-password' });
    expect(await r.exited).toBe(1);
    expect(r.stderr()).toMatch(/capture: cannot read .*nope\.pcap: no such file/);
    expect(r.stderr()).not.toMatch(/dashboard at/);
  }, 60_000);

  it('a broken capture file fails with the reason in /api/health', async () => {
    const data = tmp();
    const bad = path.join(data, 'bad.pcap');
    writeFileSync(bad, 'this is not a capture file at all');
    const r = run(['--pcap', bad, '--host', '127.0.0.1', '--port', '0', '--data', data], { WAAKHOND_PASSWORD: 'x-password' });
    const [, url] = await waitFor(r, /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/);
    await waitFor(r, /capture: ended: /);
    const health = await (await fetch(`${url}api/health`)).json() as { ok: boolean; capture: string; capture_error: string | null };
    expect(health).toMatchObject({ ok: false, capture: 'failed' });
    expect(health.capture_error).toMatch(/\w/);
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  }, 60_000);

  it('demo data an older version left in the data directory is moved aside (kept) before a real run', async () => {
    const data = tmp();
    // What the old demo wrote: the demo home's devices in DATA/waakhond.json.
    const old = run(['--pcap', path.join(PROJECT_ROOT, DEMO_PCAP), '--host', '127.0.0.1', '--port', '0', '--data', data], { WAAKHOND_PASSWORD: 'x-password' });
    await waitFor(old, /capture: finished/);
    old.child.kill('SIGTERM');
    expect(await old.exited).toBe(0);
    const before = JSON.parse(readFileSync(path.join(data, STORE_FILE), 'utf8')) as { devices: object };
    expect(Object.keys(before.devices).length).toBeGreaterThan(3);
    // A real run (stdin) on that directory starts without them; the old file is kept beside it.
    const real = run(['--stdin', '--host', '127.0.0.1', '--port', '0', '--data', data], { WAAKHOND_PASSWORD: 'x-password' }, path.join(PROJECT_ROOT, DEMO_PCAP));
    await waitFor(real, /store: \S+ \((\d+) devices/);
    expect(real.stderr()).toMatch(/held only the demo home's devices .*moved aside to \S+waakhond\.json\.demo-/);
    expect(real.stderr()).toMatch(/store: \S+ \(0 devices, 0 alerts\)/);
    const aside = readdirSync(data).filter((f) => f.startsWith(`${STORE_FILE}.demo-`));
    expect(aside).toHaveLength(1);
    expect(JSON.parse(readFileSync(path.join(data, aside[0]), 'utf8'))).toEqual(before);
    await waitFor(real, /capture: finished/);
    real.child.kill('SIGTERM');
    expect(await real.exited).toBe(0);
    // A home with a device of its own is never taken for the demo: the next run keeps its store.
    const stored = JSON.parse(readFileSync(path.join(data, STORE_FILE), 'utf8')) as { devices: Record<string, unknown> };
    stored.devices['00:11:22:33:44:55'] = { ...Object.values(stored.devices)[0] as object, mac: '00:11:22:33:44:55' };
    writeFileSync(path.join(data, STORE_FILE), JSON.stringify(stored));
    const again = run(['--stdin', '--host', '127.0.0.1', '--port', '0', '--data', data], { WAAKHOND_PASSWORD: 'x-password' }, path.join(PROJECT_ROOT, DEMO_PCAP));
    const [, n] = await waitFor(again, /store: \S+ \((\d+) devices/);
    expect(Number(n)).toBe(Object.keys(stored.devices).length);
    expect(again.stderr()).not.toMatch(/moved aside/);
    await waitFor(again, /capture: finished/);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 90_000);

  it('the demo keeps its own data directory: a real run on the same --data starts without demo devices', async () => {
    const data = tmp();
    const demo = run(['--host', '127.0.0.1', '--port', '0', '--data', data], { WAAKHOND_PASSWORD: 'x-password' });
    await waitFor(demo, /store: .*demo/);
    await waitFor(demo, /device: new /);
    demo.child.kill('SIGTERM');
    expect(await demo.exited, demo.stderr()).toBe(0);
    const demoStore = JSON.parse(readFileSync(path.join(data, 'demo', STORE_FILE), 'utf8')) as { devices: object };
    expect(Object.keys(demoStore.devices).length).toBeGreaterThan(0);
    const real = run(['--stdin', '--host', '127.0.0.1', '--port', '0', '--data', data], { WAAKHOND_PASSWORD: 'x-password' }, path.join(PROJECT_ROOT, DEMO_PCAP));
    const [, file, devices] = await waitFor(real, /store: (\S+) \((\d+) devices/);
    expect(path.dirname(file)).toBe(data);
    expect(devices).toBe('0');
    // A finished stdin stream is "ended", not live.
    const [, url] = await waitFor(real, /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/);
    await waitFor(real, /capture: (finished|ended)/);
    expect(await (await fetch(`${url}api/health`)).json()).toMatchObject({ ok: true, capture: 'ended', capture_error: null });
    real.child.kill('SIGTERM');
    expect(await real.exited).toBe(0);
  }, 60_000);
});
