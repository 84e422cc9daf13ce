// Live capture for real: two network namespaces joined by a veth pair (created and deleted here),
// known UDP traffic sent from one, captured with a BPF filter in the other by each backend.
// Nothing leaves the namespaces: the addresses exist only inside them.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../../helpers/shared.js';
import { describeNeeds, missingTools, skipUnless } from '../../helpers/needs.js';
import { NEED_CAP_NET_RAW, openLive } from '../../../sensor/capture/live.js';
import { parseTcpdumpDrops, parseTcpdumpFinalDrops } from '../../../sensor/capture/live-tcpdump.js';
import { loadPcapAddon } from '../../../sensor/capture/live-pcap.js';
import { cannotNetns, sh, vethPairSteps } from '../../helpers/netns.js';

const ID = String(process.pid % 100000);
const NS_A = `wkA-${ID}`;
const NS_B = `wkB-${ID}`;
const VETH_A = `wka${ID}`;
const VETH_B = `wkb${ID}`;
const NET = `10.231.${process.pid % 250}`;
const ADDR_A = `${NET}.1`;
const ADDR_B = `${NET}.2`;
const PORT = 40001;
const NOISE_PORT = 40002;
const N = 100; // counted packets
const NOISE = 37; // packets to another port, which the filter must drop
const BUNDLE = path.join(PROJECT_ROOT, 'test', '.tmp', `live-child-${ID}.mjs`);

/** Whether this process may create network namespaces (root or CAP_NET_ADMIN + CAP_SYS_ADMIN). */
function canNetns(): string | null {
  const probe = `wkprobe-${ID}`;
  const why = cannotNetns(probe);
  if (why) return why;
  return null;
}

const cannot = canNetns();

function liveSuite(): void {
  const setupErrors: string[] = [];

  beforeAll(async () => {
    const steps = vethPairSteps({ ns: NS_A, veth: VETH_A, addr: ADDR_A }, { ns: NS_B, veth: VETH_B, addr: ADDR_B });
    for (const [c, a] of steps) {
      const r = sh(c, a);
      if (!r.ok) setupErrors.push(`${c} ${a.join(' ')}: ${r.out.trim()}`);
    }
    mkdirSync(path.dirname(BUNDLE), { recursive: true });
    // The child runs inside the namespace as plain node: bundle the TypeScript, keep the addon external.
    await build({
      entryPoints: [path.join(PROJECT_ROOT, 'test/sensor/capture/live-child.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: BUNDLE,
      external: ['pcap'],
      logLevel: 'error',
    });
  });

  afterAll(() => {
    sh('ip', ['netns', 'del', NS_A]);
    sh('ip', ['netns', 'del', NS_B]);
    rmSync(BUNDLE, { force: true });
  });

  /** Run the capture child in namespace B (optionally without CAP_NET_RAW); returns its JSON lines. */
  async function capture(backend: 'pcap' | 'tcpdump', opts: { dropCap?: boolean; send?: boolean } = {}): Promise<Record<string, unknown>[]> {
    const args = JSON.stringify({ iface: VETH_B, filter: `udp port ${PORT}`, backend });
    const cmd = opts.dropCap
      ? ['ip', 'netns', 'exec', NS_B, 'capsh', '--drop=cap_net_raw', '--', '-c', `exec node ${BUNDLE} '${args}'`]
      : ['ip', 'netns', 'exec', NS_B, 'node', BUNDLE, args];
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], cwd: PROJECT_ROOT });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const lines: Record<string, unknown>[] = [];
    const rl = createInterface({ input: child.stdout });
    const next = (): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`capture child (${backend}) said nothing in 20 s; stderr: ${stderr}`)), 20_000);
        rl.once('line', (l) => {
          clearTimeout(t);
          const o = JSON.parse(l) as Record<string, unknown>;
          lines.push(o);
          resolve(o);
        });
      });
    const first = await next();
    if (!first.ready) {
      child.kill();
      return lines;
    }
    if (opts.send !== false) {
      // The sender runs in namespace A and targets B's address only; noise first so ARP is resolved.
      const sender = `
        const dgram = require('node:dgram');
        const [dst, port, noisePort, n, noise] = process.argv.slice(1);
        const s = dgram.createSocket('udp4');
        const send = (p, i) => new Promise((r, j) => s.send(Buffer.from('waakhond ' + i), Number(p), dst, (e) => (e ? j(e) : r())));
        (async () => {
          await send(noisePort, -1);
          await new Promise((r) => setTimeout(r, 300));
          for (let i = 0; i < Number(n); i++) {
            await send(port, i);
            if (i < Number(noise) - 1) await send(noisePort, i);
          }
          s.close();
        })().catch((e) => { console.error(e); process.exit(1); });`;
      const r = sh('ip', ['netns', 'exec', NS_A, 'node', '-e', sender, ADDR_B, String(PORT), String(NOISE_PORT), String(N), String(NOISE)]);
      expect(r.ok, r.out).toBe(true);
      await new Promise((r) => setTimeout(r, 700));
    }
    const done = next();
    child.stdin.write('stop\n');
    await done;
    child.stdin.end();
    return lines;
  }

  /** Capture timestamps are wall-clock microseconds of the last few seconds. */
  function expectRecentTs(done: Record<string, unknown>): void {
    const now = done.now as number;
    expect(now - (done.minTs as number)).toBeGreaterThan(0);
    expect(now - (done.minTs as number)).toBeLessThan(30e6);
    expect(done.maxTs as number).toBeGreaterThanOrEqual(done.minTs as number);
  }

  it('the namespaces are set up', () => {
    expect(setupErrors).toEqual([]);
  });

  it('tcpdump backend: captures exactly the filtered packets', async () => {
    const [ready, done] = await capture('tcpdump');
    expect(ready).toMatchObject({ ready: true, backend: 'tcpdump' });
    expect(done).toMatchObject({ done: true, frames: N, ports: { [`udp/${PORT}`]: N }, linktype: 1 });
    expect((done.stats as { error: unknown; dropped: unknown }).error).toBeNull();
    expectRecentTs(done);
    expect((done.stats as { dropped: unknown }).dropped).toBe(0);
  });

  it('pcap addon backend: captures exactly the filtered packets', async (ctx) => {
    const addon = await loadPcapAddon();
    skipUnless(ctx, 'reason' in addon ? `the pcap addon (${addon.reason})` : null);
    const [ready, done] = await capture('pcap');
    expect(ready).toMatchObject({ ready: true, backend: 'pcap' });
    expect(done).toMatchObject({ done: true, frames: N, ports: { [`udp/${PORT}`]: N }, linktype: 1 });
    expectRecentTs(done);
    expect((done.stats as { dropped: unknown }).dropped).toBe(0);
  });

  it('without CAP_NET_RAW both backends say what is missing', async (ctx) => {
    skipUnless(ctx, missingTools(['capsh'], 'apt-get install libcap2-bin'));
    const backends: ('pcap' | 'tcpdump')[] = ['tcpdump'];
    if (!('reason' in (await loadPcapAddon()))) backends.push('pcap');
    for (const b of backends) {
      const [first] = await capture(b, { dropCap: true, send: false });
      expect(String(first.openError), b).toContain(NEED_CAP_NET_RAW);
    }
  });
}

describe('live capture (no namespaces needed)', () => {
  it('parses tcpdump exit summaries', () => {
    expect(parseTcpdumpDrops('12 packets captured\n14 packets received by filter\n2 packets dropped by kernel\n')).toBe(2);
    expect(parseTcpdumpDrops('1 packet captured\n1 packet received by filter\n0 packets dropped by kernel\n3 packets dropped by interface\n')).toBe(3);
    expect(parseTcpdumpDrops('tcpdump: listening on eth0\n')).toBeNull();
    // SIGUSR1 while running: one line each time, cumulative; the last one counts.
    const running = 'tcpdump: listening on eth0\ntcpdump: 10 packets captured, 12 packets received by filter, 2 packets dropped by kernel\n' +
      'tcpdump: 20 packets captured, 27 packets received by filter, 5 packets dropped by kernel, 1 packet dropped by interface\n';
    expect(parseTcpdumpDrops(running)).toBe(6);
    // On exit: frames the filter received that were neither dropped nor captured were still in the ring.
    expect(parseTcpdumpFinalDrops('30 packets captured\n40 packets received by filter\n6 packets dropped by kernel\n')).toBe(10);
    expect(parseTcpdumpFinalDrops('12 packets captured\n14 packets received by filter\n2 packets dropped by kernel\n')).toBe(2);
  });

  it('says clearly when the tcpdump binary is missing', async () => {
    await expect(openLive({ iface: 'lo', backend: 'tcpdump', tcpdump: '/nonexistent/tcpdump' })).rejects.toThrow(/cannot run \/nonexistent\/tcpdump: .*ENOENT/);
  });

  it('refuses an unknown interface with libpcap\'s reason', async (ctx) => {
    const addon = await loadPcapAddon();
    skipUnless(ctx, 'reason' in addon ? `the pcap addon (${addon.reason})` : null);
    await expect(openLive({ iface: 'wk-no-such-if0', backend: 'pcap' })).rejects.toThrow(/cannot capture on wk-no-such-if0 \(pcap: .*No such device/);
  });

  it('names both backends when neither the addon nor tcpdump is available', async () => {
    // Bundled outside the project, the child cannot resolve the pcap package: as on a host without it.
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-nopcap-'));
    try {
      const bundle = path.join(dir, 'child.mjs');
      await build({ entryPoints: [path.join(PROJECT_ROOT, 'test/sensor/capture/live-child.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, external: ['pcap'], logLevel: 'error' });
      const run = (args: object) => JSON.parse(execFileSync('node', [bundle, JSON.stringify(args)], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0]) as { openError?: string };
      const neither = run({ iface: 'lo', filter: '', backend: 'auto', tcpdump: '/nonexistent/tcpdump' });
      expect(neither.openError).toMatch(/needs the pcap addon or tcpdump, and neither is available: the optional pcap addon is not available \(.*pcap.*\).*libpcap-dev.*`\/nonexistent\/tcpdump` was not found/);
      const forced = run({ iface: 'lo', filter: '', backend: 'pcap' });
      expect(forced.openError).toMatch(/^live capture with backend pcap: the optional pcap addon is not available/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeNeeds('live capture in network namespaces', cannot === null ? null
  : `network namespaces (${cannot}); run as root or with CAP_NET_ADMIN+CAP_SYS_ADMIN`, liveSuite);
