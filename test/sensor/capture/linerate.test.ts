// Loss is never silent: tcpreplay sends a known number of frames over a veth pair between two network
// namespaces this test creates (and deletes); the real pipeline captures them with the pcap addon in
// the other namespace. Whatever the rate, every frame sent is either counted or dropped
// (sent = counted + dropped), and a consumer too slow for the sender makes the loss show in
// sensor_stats while the capture runs. Nothing leaves the namespaces: the frames are addressed to
// nobody there, and neither namespace forwards.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../../helpers/shared.js';
import { loadPcapAddon } from '../../../sensor/capture/live-pcap.js';
import { cannotNetns, sh } from '../../helpers/netns.js';

const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const ID = String(process.pid % 100000);
const NS_A = `wkrA-${ID}`;
const NS_B = `wkrB-${ID}`;
const VETH_A = `wkra${ID}`;
const VETH_B = `wkrb${ID}`;
const PORT = 40001;
const TMP = path.join(PROJECT_ROOT, 'test', '.tmp');
const BUNDLE = path.join(TMP, `linerate-child-${ID}.mjs`);
const PCAP = path.join(TMP, `linerate-${ID}.pcap`);
const N = 30_000;

/** N Ethernet/IPv4/UDP frames from a home address to port PORT, as a classic pcap file. */
function writeFrames(file: string, n: number): void {
  const frameLen = 14 + 20 + 8 + 18;
  const out = Buffer.alloc(24 + n * (16 + frameLen));
  out.writeUInt32LE(0xa1b2c3d4, 0); out.writeUInt16LE(2, 4); out.writeUInt16LE(4, 6);
  out.writeUInt32LE(65535, 16); out.writeUInt32LE(1, 20);
  let o = 24;
  for (let i = 0; i < n; i++) {
    out.writeUInt32LE(1_700_000_000 + Math.floor(i / 1000), o); out.writeUInt32LE((i % 1000) * 1000, o + 4);
    out.writeUInt32LE(frameLen, o + 8); out.writeUInt32LE(frameLen, o + 12);
    o += 16;
    Buffer.from([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]).copy(out, o);
    const ip = o + 14;
    out[ip] = 0x45; out.writeUInt16BE(20 + 8 + 18, ip + 2); out.writeUInt16BE(i & 0xffff, ip + 4);
    out[ip + 8] = 64; out[ip + 9] = 17;
    out.writeUInt32BE(0xc0a84d0a, ip + 12); // 192.168.77.10
    out.writeUInt32BE(0x0ae70000 + (i % 250) + 1, ip + 16); // 10.231.0.x
    let sum = 0;
    for (let k = 0; k < 20; k += 2) sum += out.readUInt16BE(ip + k);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    out.writeUInt16BE(~sum & 0xffff, ip + 10);
    const udp = ip + 20;
    out.writeUInt16BE(40000 + (i % 1000), udp); out.writeUInt16BE(PORT, udp + 2); out.writeUInt16BE(8 + 18, udp + 4);
    out.write('waakhond line rate', udp + 8, 'latin1');
    o += frameLen;
  }
  writeFileSync(file, out);
}

const tcpreplay = sh('sh', ['-c', 'command -v tcpreplay']).ok;
const netnsProbe = (() => {
  const probe = `wkrprobe-${ID}`;
  const why = cannotNetns(probe);
  if (why) return why;
  return null;
})();

describe('line rate: sent = counted + dropped (veth between two namespaces, tcpreplay)', () => {
  const setupErrors: string[] = [];
  let missing: string | null = null;

  beforeAll(async () => {
    if (!tcpreplay) missing = 'tcpreplay is not installed (firmware-scripts/test-deps.sh)';
    else if (netnsProbe !== null) missing = `cannot create network namespaces: ${netnsProbe}`;
    else if ('reason' in (await loadPcapAddon())) missing = 'the pcap addon does not load';
    if (missing !== null) {
      if (IN_CI) throw new Error(`line-rate test cannot run in CI: ${missing}`);
      console.warn(`\n*** SKIPPING line-rate test: ${missing} ***\n`);
      return;
    }
    const steps: [string, string[]][] = [
      ['ip', ['netns', 'add', NS_A]],
      ['ip', ['netns', 'add', NS_B]],
      // No IPv6 on the link: router solicitations and MLD reports would be frames nobody sent on purpose.
      ['ip', ['netns', 'exec', NS_A, 'sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1', 'net.ipv6.conf.all.disable_ipv6=1']],
      ['ip', ['netns', 'exec', NS_B, 'sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1', 'net.ipv6.conf.all.disable_ipv6=1']],
      ['ip', ['link', 'add', VETH_A, 'netns', NS_A, 'type', 'veth', 'peer', 'name', VETH_B, 'netns', NS_B]],
      ['ip', ['-n', NS_A, 'link', 'set', VETH_A, 'up']],
      ['ip', ['-n', NS_B, 'link', 'set', VETH_B, 'up']],
    ];
    for (const [c, a] of steps) {
      const r = sh(c, a);
      if (!r.ok) setupErrors.push(`${c} ${a.join(' ')}: ${r.out.trim()}`);
    }
    mkdirSync(TMP, { recursive: true });
    writeFrames(PCAP, N);
    await build({
      entryPoints: [path.join(PROJECT_ROOT, 'test/sensor/capture/linerate-child.ts')],
      bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: BUNDLE, external: ['pcap'], logLevel: 'error',
      banner: { js: "import { createRequire as __wkCreateRequire } from 'node:module'; const require = __wkCreateRequire(import.meta.url);" },
    });
  }, 60_000);

  afterAll(() => {
    sh('ip', ['netns', 'del', NS_A]);
    sh('ip', ['netns', 'del', NS_B]);
    rmSync(BUNDLE, { force: true });
    rmSync(PCAP, { force: true });
  });

  /** Capture in B while tcpreplay sends the file from A at `pps`; the child's report and tcpreplay's count. */
  async function run(child: { bufferSize?: number; slowUs?: number; backend?: 'pcap' | 'tcpdump' }, pps: number): Promise<{ sent: number; done: Record<string, number> }> {
    const args = JSON.stringify({ iface: VETH_B, filter: `udp dst port ${PORT}`, ...child });
    const proc = spawn('ip', ['netns', 'exec', NS_B, 'node', BUNDLE, args], { stdio: ['pipe', 'pipe', 'pipe'], cwd: PROJECT_ROOT });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    const rl = createInterface({ input: proc.stdout });
    const next = (): Promise<Record<string, unknown>> => new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`capture child said nothing in 30 s; stderr: ${stderr}`)), 30_000);
      rl.once('line', (l) => { clearTimeout(t); resolve(JSON.parse(l) as Record<string, unknown>); });
    });
    const ready = await next();
    expect(ready, stderr).toMatchObject({ ready: true, backend: child.backend ?? 'pcap' });
    const r = sh('ip', ['netns', 'exec', NS_A, 'tcpreplay', '-q', '-i', VETH_A, '--pps', String(pps), PCAP]);
    expect(r.ok, r.out).toBe(true);
    const m = /Successful packets:\s+(\d+)/.exec(r.out);
    expect(m, r.out).not.toBeNull();
    // The child empties the ring, and hears of the last drops (pcap_stats and tcpdump's SIGUSR1 report come every second), before it is told to stop.
    await new Promise((res) => setTimeout(res, 2500));
    const done = next();
    proc.stdin.write('stop\n');
    const d = await done;
    proc.stdin.end();
    return { sent: Number(m![1]), done: d as Record<string, number> };
  }

  it('the namespaces are set up', () => {
    if (missing !== null) return;
    expect(setupErrors).toEqual([]);
  });

  it('at a modest rate every frame sent is counted or dropped', async () => {
    if (missing !== null) return;
    const { sent, done } = await run({}, 20_000);
    expect(sent).toBe(N);
    expect(done.counted).toBe(done.frames); // the pipeline saw every frame the source handed on
    expect(done.counted + done.dropped).toBe(sent);
    expect(done.counted).toBeGreaterThan(0);
  }, 60_000);

  it('a consumer slower than the sender loses frames, and says so while it runs', async () => {
    if (missing !== null) return;
    // A 64 KiB ring (a few hundred frames) and ~100 us per frame (10 k frames/s) against 40 k frames/s.
    const { sent, done } = await run({ bufferSize: 64 * 1024, slowUs: 100 }, 40_000);
    expect(sent).toBe(N);
    expect(done.dropped).toBeGreaterThan(0);
    expect(done.counted + done.dropped).toBe(sent);
    // sensor_stats reported all of the loss before the capture was stopped, not only in the final figures.
    expect(done.statsDroppedLive).toBe(done.dropped);
  }, 60_000);

  it('tcpdump backend: every frame sent is counted or dropped, and a slow consumer\'s loss shows while it runs', async () => {
    if (missing !== null) return;
    const modest = await run({ backend: 'tcpdump' }, 20_000);
    expect(modest.sent).toBe(N);
    expect(modest.done.counted + modest.done.dropped).toBe(modest.sent);
    expect(modest.done.counted).toBeGreaterThan(0);
    // tcpdump blocks on the pipe to a slow reader; its 64 KiB ring overflows and it says so on SIGUSR1.
    const slow = await run({ backend: 'tcpdump', bufferSize: 64 * 1024, slowUs: 100 }, 40_000);
    expect(slow.sent).toBe(N);
    expect(slow.done.dropped).toBeGreaterThan(0);
    expect(slow.done.counted + slow.done.dropped).toBe(slow.sent);
    expect(slow.done.statsDroppedLive).toBe(slow.done.dropped);
  }, 90_000);
});
