// Daemon memory on two generated captures: a 300-device home, and a 1 M-packet flood with spoofed
// source MACs and addresses (every packet a new "device" and a new flow). Runs `waakhond run --pcap FILE`
// as the launchers do (MALLOC_MMAP_THRESHOLD_=131072, node --max-old-space-size=96 --max-semi-space-size=1), waits for the capture to finish, and reports
// the peak (VmHWM) and the resident size (VmRSS) after it, from /proc.
// `npm run bench -- --memory [--flood 1000000] [--devices 300]`
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A classic pcap writer with a 1 MiB buffer (no per-packet allocation beyond the frame). */
class PcapOut {
  constructor(file) {
    this.fd = openSync(file, 'w');
    this.buf = Buffer.alloc(1 << 20);
    this.off = 0;
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0); h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6); h.writeUInt32LE(65535, 16); h.writeUInt32LE(1, 20);
    writeSync(this.fd, h);
  }
  write(tsUs, frame) {
    if (this.off + 16 + frame.length > this.buf.length) this.flush();
    const b = this.buf;
    b.writeUInt32LE(Math.floor(tsUs / 1e6), this.off); b.writeUInt32LE(tsUs % 1e6, this.off + 4);
    b.writeUInt32LE(frame.length, this.off + 8); b.writeUInt32LE(frame.length, this.off + 12);
    frame.copy(b, this.off + 16);
    this.off += 16 + frame.length;
  }
  flush() { writeSync(this.fd, this.buf, 0, this.off); this.off = 0; }
  close() { this.flush(); closeSync(this.fd); }
}

function csum(b, start, end) {
  let s = 0;
  for (let i = start; i < end; i += 2) s += (b[i] << 8) | (i + 1 < end ? b[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Ethernet + IPv4 + UDP or TCP (SYN) frame. */
function frame({ srcMac, dstMac, src, dst, proto, sport, dport, payload = Buffer.alloc(0), seq = 0 }) {
  const l4 = proto === 17 ? 8 : 20;
  const b = Buffer.alloc(14 + 20 + l4 + payload.length);
  srcMac.copy(b, 6); dstMac.copy(b, 0); b.writeUInt16BE(0x0800, 12);
  b[14] = 0x45; b.writeUInt16BE(20 + l4 + payload.length, 16); b[22] = 64; b[23] = proto;
  b.writeUInt32BE(src >>> 0, 26); b.writeUInt32BE(dst >>> 0, 30);
  b.writeUInt16BE(csum(b, 14, 34), 24);
  b.writeUInt16BE(sport, 34); b.writeUInt16BE(dport, 36);
  if (proto === 17) b.writeUInt16BE(8 + payload.length, 38);
  else { b.writeUInt32BE(seq >>> 0, 38); b[46] = 0x50; b[47] = 0x02; b.writeUInt16BE(64240, 48); }
  payload.copy(b, 14 + 20 + l4);
  return b;
}

const ip = (a, b, c, d) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const macOf = (hi, n) => Buffer.from([0x00, 0x1a, hi, (n >> 16) & 255, (n >> 8) & 255, n & 255]);
const ROUTER = Buffer.from([0x00, 0x1a, 0x11, 0xff, 0xff, 0xfe]);

function dhcpRequest(mac, name) {
  const b = Buffer.alloc(300);
  b[0] = 1; b[1] = 1; b[2] = 6; b.writeUInt32BE(0x1000 + mac[5], 4); mac.copy(b, 28); b.writeUInt32BE(0x63825363, 236);
  let o = 240;
  const opt = (code, data) => { b[o++] = code; b[o++] = data.length; data.copy(b, o); o += data.length; };
  opt(53, Buffer.from([3])); opt(12, Buffer.from(name)); opt(55, Buffer.from([1, 3, 6, 15, 28, 51, 58, 59])); b[o] = 255;
  return b;
}

function dnsQuery(id, name) {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const h = Buffer.alloc(12); h.writeUInt16BE(id, 0); h.writeUInt16BE(0x0100, 2); h.writeUInt16BE(1, 4);
  return Buffer.concat([h, ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

/** `devices` devices joining (DHCP), then 10 minutes of DNS look-ups and connections to a few cloud addresses each. */
export function writeHome(file, devices = 300) {
  const out = new PcapOut(file);
  const t0 = Date.UTC(2026, 0, 5, 12) * 1e3;
  let n = 0;
  for (let i = 0; i < devices; i++) {
    const mac = macOf(0x21, i);
    out.write(t0 + i * 1000, frame({ srcMac: mac, dstMac: Buffer.alloc(6, 0xff), src: 0, dst: 0xffffffff, proto: 17, sport: 68, dport: 67, payload: dhcpRequest(mac, `device-${i}`) }));
    n++;
  }
  for (let s = 1; s <= 600; s++) {
    for (let i = 0; i < devices; i++) {
      const mac = macOf(0x21, i);
      const me = ip(10, 21, i >> 8, i & 255);
      const t = t0 + s * 1e6 + i * 1000;
      if (s % 30 === i % 30) {
        out.write(t, frame({ srcMac: mac, dstMac: ROUTER, src: me, dst: ip(10, 21, 255, 254), proto: 17, sport: 40000 + (s & 1023), dport: 53, payload: dnsQuery(s, `cloud${i % 17}.example.com`) }));
        n++;
      }
      out.write(t + 10, frame({ srcMac: mac, dstMac: ROUTER, src: me, dst: ip(93, 184, i % 50, s % 4), proto: 6, sport: 30000 + ((s * 7 + i) & 8191), dport: 443, seq: s * 1000 + i }));
      n++;
    }
  }
  out.close();
  return n;
}

/** `packets` SYNs, each from a new spoofed source MAC and address, to a new public target, 20 µs apart. */
export function writeFlood(file, packets = 1_000_000) {
  const out = new PcapOut(file);
  const t0 = Date.UTC(2026, 0, 5, 12) * 1e3;
  let x = 0x12345678;
  const rand = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  for (let i = 0; i < packets; i++) {
    const mac = macOf(0x31, rand() & 0xffffff);
    out.write(t0 + i * 20, frame({ srcMac: mac, dstMac: ROUTER, src: ip(10, 31, (i >> 8) & 255, i & 255), dst: rand() | 0x01000000, proto: 6, sport: rand() & 0xffff, dport: 23, seq: rand() }));
  }
  out.close();
  return packets;
}

function memOf(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
  return { hwm_mb: kb('VmHWM') / 1024, rss_mb: kb('VmRSS') / 1024 };
}

/** User + system CPU seconds of a running process (a figure a shared machine disturbs less than wall time). */
function cpuOf(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** The V8 flags of the systemd unit, the procd init and the OCI image (a 96 MB old space, 1 MB semi-spaces). */
export const LAUNCHER_NODE_ARGS = ['--max-old-space-size=96', '--max-semi-space-size=1'];

/** Runs the daemon on `pcap` until the capture is read; returns the peak and current resident size. */
export async function daemonMemory(entry, pcap, { args = ['run'], nodeArgs = LAUNCHER_NODE_ARGS, env = {} } = {}) {
  const data = mkdtempSync(path.join(tmpdir(), 'waakhond-mem-'));
  const child = spawn(process.execPath, [...nodeArgs, entry, ...args, '--pcap', pcap, '--host', '127.0.0.1', '--port', '0', '--data', data], {
    env: { ...process.env, WAAKHOND_PASSWORD: 'memory-run-pw', MALLOC_MMAP_THRESHOLD_: '131072', ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { err = (err + d).slice(-20000); });
  const t0 = Date.now();
  let peakSeen = 0;
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`daemon exited (${child.exitCode ?? child.signalCode}):\n${err}`);
      peakSeen = Math.max(peakSeen, memOf(child.pid).rss_mb);
      if (/capture: (finished|ended)/.test(err)) break;
      if (Date.now() - t0 > 600_000) throw new Error(`capture not finished in 10 min:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 1500)); // the flush and its garbage
    const m = memOf(child.pid);
    return { ...m, seconds: (Date.now() - t0) / 1000, log: err.split('\n').filter((l) => /capture:|store:/.test(l)).slice(-3).join('\n') };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => { if (child.exitCode !== null || child.signalCode !== null) r(); else child.once('exit', r); });
    rmSync(data, { recursive: true, force: true });
  }
}

/**
 * Daemon ingest of a whole capture file (`waakhond run --pcap FILE`): seconds from the start of the
 * process to its "capture: finished" line (start-up included, as analyze's figure includes it), and the
 * peak resident size then. `nodeArgs` are the launchers' V8 flags unless given.
 */
export async function daemonIngest(entry, pcap, { nodeArgs = LAUNCHER_NODE_ARGS, env = {} } = {}) {
  const data = mkdtempSync(path.join(tmpdir(), 'waakhond-ingest-'));
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [...nodeArgs, entry, 'run', '--pcap', pcap, '--host', '127.0.0.1', '--port', '0', '--data', data], {
    env: { ...process.env, WAAKHOND_PASSWORD: 'ingest-run-pw', MALLOC_MMAP_THRESHOLD_: '131072', ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8');
  try {
    const seconds = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`capture not finished in 10 min:\n${err}`)), 600_000);
      child.stderr.on('data', (d) => {
        err = (err + d).slice(-20000);
        if (/capture: (finished|ended)/.test(err)) { clearTimeout(timer); resolve(Number(process.hrtime.bigint() - t0) / 1e9); }
      });
      child.once('exit', (code, sig) => { clearTimeout(timer); reject(new Error(`daemon exited (${code ?? sig}):\n${err}`)); });
    });
    return { seconds, cpu_s: cpuOf(child.pid), hwm_mb: memOf(child.pid).hwm_mb };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => { if (child.exitCode !== null || child.signalCode !== null) r(); else child.once('exit', r); });
    rmSync(data, { recursive: true, force: true });
  }
}

export async function runMemory({ root, entry, flood = 1_000_000, devices = 300 }) {
  const dir = path.join(root, 'test', '.tmp');
  mkdirSync(dir, { recursive: true });
  const home = path.join(dir, `mem-home-${devices}.pcap`);
  const fl = path.join(dir, `mem-flood-${flood}.pcap`);
  const nh = writeHome(home, devices);
  const nf = writeFlood(fl, flood);
  const a = await daemonMemory(entry, home);
  const b = await daemonMemory(entry, fl);
  rmSync(home, { force: true });
  rmSync(fl, { force: true });
  return { home: { packets: nh, devices, ...a }, flood: { packets: nf, ...b } };
}
