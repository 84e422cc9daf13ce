// SIGTERM/SIGINT end `waakhond run` within 5 s from every capture source, with the store flushed:
// the demo loop, --pcap (real time, mid-file), --stdin (a pipe that stays open), and live capture on a
// veth pair in network namespaces created and removed here, with the pcap addon and with tcpdump.
// Live traffic goes only between the two namespaces; it keeps flowing while the daemon stops (a LAN does).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { bundleDaemon } from '../helpers/bundle-entry.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/shared.js';
import { DEMO_PCAP } from '../../ui/server/daemon.js';
import { STORE_FILE } from '../../ui/server/store/store.js';
// @ts-expect-error plain ESM generator shared with the memory benchmark, no type declarations
import { writeFlood } from '../bench/memory.mjs';
import { waitForLog } from '../helpers/wait-log.js';
import { cannotNetns, sh, vethPairSteps } from '../helpers/netns.js';

const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const DEADLINE_MS = 5000;
const ID = String(process.pid % 100000);
const NS_A = `wkstA-${ID}`;
const NS_B = `wkstB-${ID}`;
const VETH_A = `wsa${ID}`;
const VETH_B = `wsb${ID}`;
const NET = `10.232.${process.pid % 250}`;
const ADDR_A = `${NET}.1`;
const ADDR_B = `${NET}.2`;

let dir: string;
let entry: string;

beforeAll(async () => {
  ({ dir, entry } = await bundleDaemon('sigterm-'));
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Run { child: ChildProcess; stderr: () => string; exited: Promise<{ code: number | null; at: number }> }

/** Every daemon started, so a failed test leaves none running. */
const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function run(cmd: string[], env: Record<string, string> = {}, stdin: 'ignore' | 'pipe' = 'ignore'): Run {
  const child = spawn(cmd[0], cmd.slice(1), {
    env: { ...process.env, WAAKHOND_HOME: PROJECT_ROOT, WAAKHOND_PASSWORD: 'sigterm-test-pw', ...env },
    stdio: [stdin, 'pipe', 'pipe'],
  });
  started.push(child);
  let err = '';
  child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  return { child, stderr: () => err, exited };
}

function waitFor(r: Run, re: RegExp, ms = 30_000): Promise<RegExpMatchArray> {
  return waitForLog(r.stderr, re, ms, /capture: cannot start/);
}

/** Sends the signal and returns how long the process took to exit (killed with SIGKILL past 3 deadlines, so a hang fails rather than stalls). */
async function stopTimed(r: Run, sig: NodeJS.Signals): Promise<{ ms: number; code: number | null }> {
  const t0 = Date.now();
  r.child.kill(sig);
  const hard = setTimeout(() => r.child.kill('SIGKILL'), DEADLINE_MS * 3);
  const { code, at } = await r.exited;
  clearTimeout(hard);
  return { ms: at - t0, code };
}

/** Devices the running daemon knows, through the API as the dashboard sees them. */
async function liveDevices(url: string): Promise<number> {
  const login = await fetch(`${url}api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: 'sigterm-test-pw' }) });
  expect(login.status).toBe(200);
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const body = await (await fetch(`${url}api/devices`, { headers: { cookie } })).json() as { devices: unknown[] };
  return body.devices.length;
}

/** Polls until the daemon knows at least one device. */
async function untilDevices(url: string, ms = 30_000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const n = await liveDevices(url);
    if (n > 0 || Date.now() - t0 > ms) return n;
    await new Promise((res) => setTimeout(res, 500));
  }
}

function savedStore(data: string): { devices: Record<string, unknown>; alerts: Record<string, unknown> } {
  return JSON.parse(readFileSync(path.join(data, STORE_FILE), 'utf8')) as { devices: Record<string, unknown>; alerts: Record<string, unknown> };
}

/** A clean stop: exit 0 within the deadline, the flush logged, nothing left holding the loop. */
function expectCleanStop(r: Run, res: { ms: number; code: number | null }, sig: string): void {
  expect(res.code, r.stderr()).toBe(0);
  expect(res.ms, r.stderr()).toBeLessThan(DEADLINE_MS);
  expect(r.stderr()).toContain(`${sig}: flushing the store and stopping`);
  expect(r.stderr(), 'a handle kept the process alive after the stop').not.toMatch(/stop: still running/);
}

describe('SIGTERM/SIGINT from each capture source', () => {
  it('demo loop (no source): exits within 5 s, the store holds the devices seen', async () => {
    const data = mkdtempSync(path.join(dir, 'data-'));
    const r = run([process.execPath, entry, '--host', '127.0.0.1', '--port', '0', '--data', data]);
    const [, url] = await waitFor(r, /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/);
    // Wait until the replay has made devices; the store was not saved yet (a 5 s save delay), the stop's flush writes them.
    const devices = await untilDevices(url);
    expect(devices).toBeGreaterThan(0);
    const res = await stopTimed(r, 'SIGTERM');
    expectCleanStop(r, res, 'SIGTERM');
    // The demo keeps its own data directory (DATA/demo), so a real run never inherits it.
    expect(Object.keys(savedStore(path.join(data, 'demo')).devices).length).toBeGreaterThanOrEqual(devices);
  }, 60_000);

  it('--pcap in real time, stopped mid-file with SIGINT', async () => {
    const data = mkdtempSync(path.join(dir, 'data-'));
    const r = run([process.execPath, entry, '--pcap', path.join(PROJECT_ROOT, DEMO_PCAP), '--realtime', '--host', '127.0.0.1', '--port', '0', '--data', data]);
    await waitFor(r, /dashboard at/);
    await new Promise((res) => setTimeout(res, 1500));
    const res = await stopTimed(r, 'SIGINT');
    expectCleanStop(r, res, 'SIGINT');
    expect(r.stderr()).not.toMatch(/capture: finished \(\d+ frames\)[\s\S]*capture: finished/);
    expect(Object.keys(savedStore(data).devices).length).toBeGreaterThan(0);
  }, 60_000);

  it('--pcap read to its end, then SIGTERM', async () => {
    const data = mkdtempSync(path.join(dir, 'data-'));
    const r = run([process.execPath, entry, '--pcap', path.join(PROJECT_ROOT, DEMO_PCAP), '--host', '127.0.0.1', '--port', '0', '--data', data]);
    await waitFor(r, /capture: finished/);
    const res = await stopTimed(r, 'SIGTERM');
    expectCleanStop(r, res, 'SIGTERM');
    expect(Object.keys(savedStore(data).alerts).length).toBeGreaterThan(0);
  }, 60_000);

  it('--pcap of a spoofed-MAC flood (a new device per packet), SIGTERM mid-capture', async () => {
    const data = mkdtempSync(path.join(dir, 'data-'));
    const flood = path.join(dir, 'flood.pcap');
    writeFlood(flood, 300_000);
    const r = run([process.execPath, entry, '--pcap', flood, '--host', '127.0.0.1', '--port', '0', '--data', data]);
    const [, url] = await waitFor(r, /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/);
    await untilDevices(url);
    // Health answers while the flood is processed (the capture runs in slices, not one 16k-frame block).
    const t0 = Date.now();
    expect((await fetch(`${url}api/health`)).status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(DEADLINE_MS);
    expect(r.stderr()).not.toMatch(/capture: finished/);
    const res = await stopTimed(r, 'SIGTERM');
    expectCleanStop(r, res, 'SIGTERM');
    expect(Object.keys(savedStore(data).devices).length).toBeGreaterThan(0);
  }, 90_000);

  it('--stdin with the pipe still open', async () => {
    const data = mkdtempSync(path.join(dir, 'data-'));
    const r = run([process.execPath, entry, '--stdin', '--host', '127.0.0.1', '--port', '0', '--data', data], {}, 'pipe');
    await waitFor(r, /dashboard at/);
    // The whole demo capture, and the writer keeps the pipe open (as ssh ... tcpdump does).
    r.child.stdin!.on('error', () => {}); // EPIPE once the daemon has exited: expected
    r.child.stdin!.write(readFileSync(path.join(PROJECT_ROOT, DEMO_PCAP)));
    const [, url] = await waitFor(r, /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/);
    const devices = await untilDevices(url);
    expect(devices).toBeGreaterThan(0);
    const res = await stopTimed(r, 'SIGTERM');
    expectCleanStop(r, res, 'SIGTERM');
    expect(Object.keys(savedStore(data).devices).length).toBeGreaterThanOrEqual(devices);
  }, 60_000);
});

function whyNoNetns(): string | null {
  const probe = `wkstp-${ID}`;
  const why = cannotNetns(probe);
  if (why) return why;
  if (!sh('tcpdump', ['--version']).ok) return 'tcpdump is not installed (firmware-scripts/test-deps.sh)';
  return null;
}

function liveSuite(): void {
  let sender: ChildProcess | null = null;

  beforeAll(() => {
    const steps = vethPairSteps({ ns: NS_A, veth: VETH_A, addr: ADDR_A }, { ns: NS_B, veth: VETH_B, addr: ADDR_B });
    for (const [c, a] of steps) {
      const r = sh(c, a);
      if (!r.ok) throw new Error(`${c} ${a.join(' ')}: ${r.out.trim()}`);
    }
    // UDP to B every 20 ms from A, for the whole suite: the capture is busy when the signal comes.
    const js = `const s=require('node:dgram').createSocket('udp4');setInterval(()=>s.send('waakhond',40009,'${ADDR_B}'),20);`;
    sender = spawn('ip', ['netns', 'exec', NS_A, process.execPath, '-e', js], { stdio: 'ignore' });
  });

  afterAll(() => {
    sender?.kill('SIGKILL');
    sh('ip', ['netns', 'del', NS_A]);
    sh('ip', ['netns', 'del', NS_B]);
  });

  for (const backend of ['pcap', 'tcpdump'] as const) {
    it(`live capture with ${backend === 'pcap' ? 'the pcap addon' : 'the tcpdump fallback'}: exits within 5 s with traffic flowing, the sender is stored`, async () => {
      const data = mkdtempSync(path.join(dir, 'data-'));
      // The sender becomes a device through its ARP (a host that only sends UDP to a closed port is not
      // listed: see the closing note); forget B's address in A so A asks again while we capture, instead
      // of depending on when the kernel's neighbour entry goes stale (~30 s).
      sh('ip', ['-n', NS_A, 'neigh', 'flush', 'dev', VETH_A]);
      const r = run(['ip', 'netns', 'exec', NS_B, process.execPath, entry, '--iface', VETH_B, '--host', '127.0.0.1', '--port', '0', '--data', data],
        { WAAKHOND_CAPTURE_BACKEND: backend });
      await waitFor(r, /capture: live on/);
      sh('ip', ['-n', NS_A, 'neigh', 'flush', 'dev', VETH_A]);
      await new Promise((res) => setTimeout(res, 2500));
      const res = await stopTimed(r, 'SIGTERM');
      expectCleanStop(r, res, 'SIGTERM');
      // A live source's last word says what it lost next to what it read (bench --live --daemon reads it).
      const last = /capture: finished \((\d+) frames, (\d+) dropped\)/.exec(r.stderr());
      expect(last, r.stderr()).not.toBeNull();
      expect(Number(last![1])).toBeGreaterThan(0);
      const macA = sh('ip', ['-n', NS_A, '-j', 'link', 'show', VETH_A]).out;
      const mac = (JSON.parse(macA) as { address: string }[])[0].address.toLowerCase();
      expect(Object.keys(savedStore(data).devices)).toContain(mac);
    }, 60_000);
  }
}

const cannot = whyNoNetns();
if (cannot === null) describe('SIGTERM during live capture (veth pair in network namespaces)', liveSuite);
else if (IN_CI) describe('SIGTERM during live capture', () => { it('needs network namespaces and tcpdump in CI', () => { throw new Error(cannot); }); });
else {
  console.warn(`\n*** SKIPPING live-capture SIGTERM tests: ${cannot} ***\n`);
  describe.skip('SIGTERM during live capture (veth pair in network namespaces)', liveSuite);
}
