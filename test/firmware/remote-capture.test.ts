// Remote capture: pcap-splice joins reconnecting tcpdump streams into one valid pcap stream, and
// remote-capture.sh feeds it to a living daemon (`waakhond run --stdin`), with the ssh command replaced.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FW, HAVE_DAEMON, buildRealBundle, cleanTmp, describeNeeds, firstMissing, have, itNeeds, makeNetns, missingTools, needsRoot, run, tmpDir, udpBurst } from './helpers.js';
import { readPcap, udpFrame, writePcap } from './pcap.js';

const SPLICE = path.join(FW, 'pcap-splice.mjs');

/** Runs the splicer over a script that prints capture N (1-based) on its Nth run. */
function splice(captures: Buffer[], extra: string[] = []) {
  const dir = tmpDir('splice');
  captures.forEach((c, i) => writeFileSync(path.join(dir, `c${i + 1}`), c));
  writeFileSync(path.join(dir, 'n'), '0');
  const script = `n=$(( $(cat ${dir}/n) + 1 )); echo $n > ${dir}/n; cat ${dir}/c$n`;
  const r = spawnBuf(process.execPath, [SPLICE, '--retry-min', '0', '--max-runs', String(captures.length), ...extra, '--', 'sh', '-c', script]);
  return r;
}

function spawnBuf(cmd: string, args: string[]): Promise<{ code: number | null; out: Buffer; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b) => { err += b; });
    p.on('close', (code) => resolve({ code, out: Buffer.concat(out), err }));
  });
}

const recs = (from: number, n: number, nanos = false) =>
  Array.from({ length: n }, (_, i) => ({ sec: 1_700_000_000 + from + i, frac: nanos ? 123_456_789 : 123_456, data: udpFrame(from + i) }));

describe('pcap-splice', () => {
  afterAll(cleanTmp);

  it('joins three connections into one pcap with one header and every whole record', async () => {
    const r = await splice([writePcap(recs(0, 3)), writePcap(recs(3, 2)), writePcap(recs(5, 4))]);
    expect(r.code).toBe(0);
    const p = readPcap(r.out);
    expect(p.trailing).toBe(0);
    expect(p.recs.map((x) => x.sec - 1_700_000_000)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.err).toContain('3 connections, 9 packets, 0 partial records dropped');
  });

  it('drops the partial record a dropped connection leaves, and goes on', async () => {
    const cut = writePcap(recs(0, 3));
    const r = await splice([cut.subarray(0, cut.length - 7), writePcap(recs(3, 2))]);
    const p = readPcap(r.out);
    expect(p.trailing).toBe(0);
    expect(p.recs.map((x) => x.sec - 1_700_000_000)).toEqual([0, 1, 3, 4]);
    expect(r.err).toContain('1 partial records dropped');
  });

  it('converts byte order and nanosecond timestamps into the first stream\'s format', async () => {
    const r = await splice([writePcap(recs(0, 1)), writePcap(recs(1, 1, true), { le: false, nanos: true })]);
    const p = readPcap(r.out);
    expect(p.le).toBe(true);
    expect(p.nanos).toBe(false);
    expect(p.recs[1].frac).toBe(123_456);
    expect(p.recs[1].data.equals(udpFrame(1))).toBe(true);
  });

  it('is read by tcpdump as one valid capture (an independent reader)', async () => {
    if (!have('tcpdump')) throw new Error('tcpdump is missing (apt-get install tcpdump)');
    const r = await splice([writePcap(recs(0, 2)), writePcap(recs(2, 3))]);
    const f = path.join(tmpDir('td'), 'out.pcap');
    writeFileSync(f, r.out);
    const t = run('tcpdump', ['-nr', f]);
    expect(t.status).toBe(0);
    expect(t.stdout.trim().split('\n')).toHaveLength(5);
    expect(t.stdout).toContain('10.213.7.2.40004 > 10.213.7.1.9999: UDP');
  });

  it('stops on a link-type change instead of mixing link layers', async () => {
    const r = await splice([writePcap(recs(0, 1)), writePcap(recs(1, 1), { linktype: 113 })]);
    expect(r.code).toBe(3);
    expect(r.err).toContain('link type changed from 1 to 113');
  });

  it('refuses what is not a pcap stream', async () => {
    const r = await splice([Buffer.from('this is not a capture at all, not even close')]);
    expect(r.err).toContain('not a classic pcap stream');
    expect(r.out.length).toBe(0);
  });
});

describe('remote-capture.sh (ssh replaced by a recording stand-in)', () => {
  afterAll(cleanTmp);

  it('runs tcpdump over ssh with keepalives, no password prompt, and its own SSH traffic filtered out', async () => {
    const dir = tmpDir('ssh');
    const cap = path.join(dir, 'c.pcap');
    writeFileSync(cap, writePcap(recs(0, 5)));
    // ssh stand-in: records its arguments, then "streams" a capture.
    writeFileSync(path.join(dir, 'ssh'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > ${dir}/argv\ncat ${cap}\n`, { mode: 0o755 });
    // CLI stand-in: reads the spliced stream's header and first packets, then leaves (EPIPE ends the splicer).
    writeFileSync(path.join(dir, 'cli'), `#!/bin/sh\necho "$@" > ${dir}/cli-args\nhead -c 200 > ${dir}/got\n`, { mode: 0o755 });
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const p = spawn('sh', [path.join(FW, 'remote-capture.sh'), '--router', '192.0.2.1', '--iface', 'br-lan', '--', '--port', '8080'], {
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, WAAKHOND_CLI: path.join(dir, 'cli') }, stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      p.stderr.on('data', (b) => { err += b; });
      const t = setTimeout(() => p.kill('SIGKILL'), 20_000);
      p.on('close', (code) => { clearTimeout(t); resolve({ code, err }); });
    });
    const argv = readFileSync(path.join(dir, 'argv'), 'utf8').trim().split('\n');
    expect(argv).toContain('BatchMode=yes');
    expect(argv).toContain('ServerAliveInterval=15');
    expect(argv).toContain('root@192.0.2.1');
    expect(argv[argv.length - 1]).toBe("tcpdump -i br-lan -U -s 0 -w - 'not port 22'");
    expect(readFileSync(path.join(dir, 'cli-args'), 'utf8').trim()).toBe('run --stdin --port 8080');
    const got = readFileSync(path.join(dir, 'got'));
    expect(got.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(r.err).toContain('capturing with: ssh');
  });

  it('refuses to run without a router or a capture command', () => {
    const r = run('sh', [path.join(FW, 'remote-capture.sh')], { env: { PATH: process.env.PATH } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--router HOST');
  });
});

// ------------------------------------------------------------------------------------------------

/** Prometheus text -> value of one metric without labels. */
function metric(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\d+(?:\\.\\d+)?)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

async function packets(port: number, token: string): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    return res.ok ? metric(await res.text(), 'waakhond_packets_total') : NaN;
  } catch { return NaN; }
}

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

describeNeeds('remote-capture.sh -> waakhond run --stdin', HAVE_DAEMON ? null : 'the daemon (ui/server/daemon.ts)', () => {
  let bundle = '';
  const token = 'firmware-test-token-0123456789';
  beforeAll(() => {
    const b = buildRealBundle(tmpDir('rb'));
    if (!b.bundle) throw new Error(`bundle build failed:\n${b.log}`);
    bundle = b.bundle;
  });
  afterAll(cleanTmp);

  function start(cmd: string, port: number) {
    const dir = tmpDir('rc');
    const cfg = path.join(dir, 'config.json');
    writeFileSync(cfg, JSON.stringify({ metrics: { token } }));
    const p = spawn('sh', [path.join(bundle, 'firmware-scripts', 'remote-capture.sh'), '--cmd', cmd, '--',
      '--port', String(port), '--host', '127.0.0.1', '--data', path.join(dir, 'data'), '--config', cfg], {
      detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WAAKHOND_PASSWORD: 'firmware-test-password' },
    });
    let log = '';
    p.stdout.on('data', (b) => { log += b; });
    p.stderr.on('data', (b) => { log += b; });
    const closed = new Promise<void>((resolve) => p.on('close', () => resolve()));
    /** SIGTERM to the whole group (script, splicer, capture, daemon); SIGKILL after 10 s; resolves when gone. */
    const stop = async () => {
      const group = (sig: NodeJS.Signals) => { try { process.kill(-(p.pid as number), sig); } catch { /* gone */ } };
      group('SIGTERM');
      const t = setTimeout(() => group('SIGKILL'), 10_000);
      await closed;
      clearTimeout(t);
      // The group may outlive its leader for a moment (the daemon flushing): wait until it is empty.
      for (let i = 0; i < 100; i++) {
        try { process.kill(-(p.pid as number), 0); } catch { return; }
        await new Promise((r) => setTimeout(r, 100));
      }
      group('SIGKILL');
    };
    return { p, stop, log: () => log };
  }

  it('keeps one daemon fed across reconnects (capture command replays a file, then "reconnects")', async () => {
    const file = path.join(tmpDir('cap'), 'c.pcap');
    writeFileSync(file, writePcap(recs(0, 20)));
    const port = 18000 + (process.pid % 1000);
    const s = start(`cat ${file}; sleep 1`, port);
    try {
      // 20 packets a connection: 60 means at least three connections reached the same daemon.
      const ok = await waitFor(async () => (await packets(port, token)) >= 60, 30_000);
      expect(ok, s.log()).toBe(true);
      expect(s.log()).toContain('reconnecting in');
    } finally { await s.stop(); }
  });

  itNeeds('feeds packets from a local tcpdump on a veth in a test namespace', firstMissing(needsRoot('ip netns'), missingTools(['tcpdump'], 'apt-get install tcpdump')), async () => {
    const net = makeNetns('rc');
    const port = 19000 + (process.pid % 1000);
    const s = start(`ip netns exec ${net.sensor} tcpdump -i ${net.ifSensor} -U -s 0 -w - udp port 9999`, port);
    try {
      await waitFor(async () => !Number.isNaN(await packets(port, token)), 20_000);
      await new Promise((r) => setTimeout(r, 1000));
      run('ip', ['netns', 'exec', net.peer, process.execPath, '-e', udpBurst(net.ipSensor, 20)]);
      const ok = await waitFor(async () => (await packets(port, token)) >= 20, 20_000);
      expect(ok, s.log()).toBe(true);
    } finally { await s.stop(); net.destroy(); }
  });
});
