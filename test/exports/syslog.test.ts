// Syslog exporter against local receivers: RFC 5424 fields and structured data, UDP datagrams, TCP octet counting
// (RFC 6587) across a receiver restart, a unix stream socket, and logger(1).
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startExports } from '../../ui/server/exports/index.js';
import { formatRfc5424, sdEscape } from '../../ui/server/exports/syslog.js';
import { alertMessage, deviceMessage } from '../../ui/server/exports/messages.js';
import { freePort, waitFor } from './helpers/broker.js';
import { assertValid } from './helpers/validate.js';
import { sampleAlert, sampleDevice } from './helpers/samples.js';
import { describeNeeds } from '../helpers/needs.js';

interface Parsed {
  pri: number;
  version: number;
  timestamp: string;
  hostname: string;
  app: string;
  procid: string;
  msgid: string;
  sd: Record<string, Record<string, string>>;
  msg: string;
}

/** RFC 5424 section 6 parser (strict enough to catch formatting mistakes): header, SD with escapes, MSG. */
function parse5424(line: string): Parsed {
  const m = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(line);
  if (!m) throw new Error(`not RFC 5424: ${line}`);
  let i = m[0].length;
  const sd: Record<string, Record<string, string>> = {};
  if (line[i] === '-') i++;
  else {
    while (line[i] === '[') {
      i++;
      const idEnd = line.slice(i).search(/[ \]]/) + i;
      const id = line.slice(i, idEnd);
      sd[id] = {};
      i = idEnd;
      while (line[i] === ' ') {
        i++;
        const eq = line.indexOf('=', i);
        const name = line.slice(i, eq);
        expect(name).toMatch(/^[!-~]{1,32}$/);
        expect(line[eq + 1]).toBe('"');
        i = eq + 2;
        let v = '';
        while (line[i] !== '"') {
          if (line[i] === '\\' && ['"', '\\', ']'].includes(line[i + 1]!)) i++;
          if (i >= line.length) throw new Error('unterminated PARAM-VALUE');
          v += line[i++];
        }
        i++;
        sd[id]![name] = v;
      }
      expect(line[i]).toBe(']');
      i++;
    }
  }
  let msg = '';
  if (line[i] === ' ') msg = line.slice(i + 1);
  else expect(i).toBe(line.length);
  return { pri: Number(m[1]), version: Number(m[2]), timestamp: m[3]!, hostname: m[4]!, app: m[5]!, procid: m[6]!, msgid: m[7]!, sd, msg: msg.replace(/^\uFEFF/, '') };
}

/** Splits an RFC 6587 octet-counted byte stream into messages. */
function splitOctetCounted(buf: Buffer): { msgs: string[]; rest: Buffer } {
  const msgs: string[] = [];
  let off = 0;
  for (;;) {
    const sp = buf.indexOf(0x20, off);
    if (sp < 0) break;
    const len = Number(buf.subarray(off, sp).toString());
    if (!Number.isInteger(len) || len <= 0) throw new Error(`bad MSG-LEN at ${off}`);
    if (sp + 1 + len > buf.length) break;
    msgs.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
    off = sp + 1 + len;
  }
  return { msgs, rest: buf.subarray(off) };
}

let cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

function tcpReceiver(port: number): Promise<{ msgs: string[]; server: net.Server; close: () => Promise<void> }> {
  const msgs: string[] = [];
  const socks = new Set<net.Socket>();
  const server = net.createServer((c) => {
    socks.add(c);
    let buf: Buffer = Buffer.alloc(0);
    c.on('data', (d: Buffer) => {
      const r = splitOctetCounted(Buffer.concat([buf, d]));
      msgs.push(...r.msgs);
      buf = r.rest;
    });
    c.on('close', () => socks.delete(c));
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok({
    msgs, server,
    close: () => new Promise<void>((r) => { for (const s of socks) s.destroy(); server.close(() => r()); }),
  })));
}

describe('syslog RFC 5424', () => {
  it('formats header, structured data (escaped) and MSG; JSON mode carries a valid event', () => {
    const a = alertMessage('home-1', sampleAlert(1, { summary: 'weird "quotes" ] and \\ backslash\nnewline', title: 'Télnet scan' }), 'raised');
    const line = formatRfc5424(a, { facility: 3, hostname: 'router', appName: 'waakhond', procId: '42', format: 'text', now: new Date('2026-01-02T03:04:05.678Z') });
    const p = parse5424(line);
    expect(p).toMatchObject({ pri: 3 * 8 + 2, version: 1, timestamp: '2026-01-02T03:04:05.678Z', hostname: 'router', app: 'waakhond', procid: '42', msgid: 'alert' });
    expect(p.sd['waakhond@32473']).toMatchObject({ schema: 'waakhond.event/1', kind: 'alert', change: 'raised', rule: 'mirai.scan.telnet', severity: 'critical', device: 'b8:27:eb:c7:e9:c9', advice: 'infected-reset' });
    expect(p.msg).toBe('critical: Télnet scan: weird "quotes" ] and \\ backslash newline (device b8:27:eb:c7:e9:c9) advice=infected-reset');
    expect(line).toContain(' \uFEFFcritical'); // UTF-8 MSG starts with a BOM (RFC 5424 6.4)
    expect(sdEscape('a"b]c\\')).toBe('a\\"b\\]c\\\\');

    const j = parse5424(formatRfc5424(deviceMessage('home-1', sampleDevice(), 'exposed', 'seen'), { facility: 16, hostname: 'h', appName: 'w', procId: '1', format: 'json' }));
    expect(j.pri).toBe(16 * 8 + 5);
    const ev = JSON.parse(j.msg);
    assertValid(ev);
    expect(ev.device.status).toBe('exposed');
  });

  it('UDP: one message per datagram', async () => {
    const got: string[] = [];
    const srv = dgram.createSocket('udp4');
    srv.on('message', (b) => got.push(b.toString('utf8')));
    await new Promise<void>((r) => srv.bind(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => srv.close(() => r())));
    const ex = startExports({ site_id: 'home-1', syslog: { transport: 'udp', host: '127.0.0.1', port: srv.address().port, format: 'json', hostname: 'sensor' } }, () => undefined);
    cleanup.push(() => ex.close());
    ex.alert(sampleAlert(1), 'raised');
    ex.deviceChanged(sampleDevice(), 'infected');
    ex.health({ ...{ type: 'sensor_stats', ts: 1, packets: 1, bytes: 1, malformed: 0, unsupported_link: 0, ip_fragments: 0, dropped: 0, flows_active: 0, flows_evicted: 0, tables_full: [] } });
    await waitFor(() => got.length === 2, 5000, 'datagrams');
    const ps = got.map(parse5424);
    expect(ps.map((p) => p.msgid).sort()).toEqual(['alert', 'device']); // health not in the default include
    for (const p of ps) {
      expect(p.hostname).toBe('sensor');
      assertValid(JSON.parse(p.msg));
    }
  });

  it('TCP: octet counting; a receiver restart loses nothing within the queue; overflow is counted', async () => {
    const port = await freePort();
    let rx = await tcpReceiver(port);
    const logs: string[] = [];
    const ex = startExports({ site_id: 'home-1', alert_update_interval_s: 0, syslog: { transport: 'tcp', port, reconnect_ms: 50, queue_max: 20 } }, (m) => logs.push(m));
    cleanup.push(() => ex.close());
    const text = (i: number) => sampleAlert(i, { summary: `ünïcode ${i} ` + 'x'.repeat(i * 7) });
    for (let i = 1; i <= 5; i++) ex.alert(text(i), 'raised');
    await waitFor(() => rx.msgs.length === 5, 5000, 'first 5');
    for (const [i, m] of rx.msgs.entries()) expect(parse5424(m).msg).toContain(`ünïcode ${i + 1} `);

    await rx.close();
    await waitFor(() => logs.some((l) => /ECONNREFUSED/.test(l)), 5000, 'refused');
    for (let i = 6; i <= 15; i++) ex.alert(text(i), 'raised');
    expect(ex.counters().syslog).toMatchObject({ queued: 10, dropped: 0 });
    rx = await tcpReceiver(port);
    cleanup.push(() => rx.close());
    await waitFor(() => rx.msgs.length === 10, 5000, 'the 10 queued');
    expect(rx.msgs.map((m) => parse5424(m).sd['waakhond@32473']!.count)).toEqual(['6', '7', '8', '9', '10', '11', '12', '13', '14', '15']);
    expect(ex.counters().syslog!.dropped).toBe(0);
  });

  it('TCP: beyond the queue the oldest are dropped and counted', async () => {
    const port = await freePort();
    const ex = startExports({ site_id: 'home-1', syslog: { transport: 'tcp', port, reconnect_ms: 50, queue_max: 5 } }, () => undefined);
    cleanup.push(() => ex.close());
    for (let i = 1; i <= 12; i++) ex.alert(sampleAlert(i), 'raised');
    expect(ex.counters().syslog).toMatchObject({ queued: 5, dropped: 7 });
    const rx = await tcpReceiver(port);
    cleanup.push(() => rx.close());
    await waitFor(() => rx.msgs.length === 5, 5000, 'newest 5');
    expect(rx.msgs.map((m) => parse5424(m).sd['waakhond@32473']!.count)).toEqual(['8', '9', '10', '11', '12']);
  });

  it('unix stream socket: one message per line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'waakhond-syslog-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const sockPath = path.join(dir, 'log');
    const lines: string[] = [];
    let buf = '';
    const server = net.createServer((c) => c.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const parts = buf.split('\n');
      buf = parts.pop()!;
      lines.push(...parts);
    }));
    await new Promise<void>((r) => server.listen(sockPath, r));
    cleanup.push(() => new Promise<void>((r) => { server.close(() => r()); }));
    const ex = startExports({ site_id: 'home-1', syslog: { transport: 'unix', path: sockPath, facility: 'local3' } }, () => undefined);
    cleanup.push(() => ex.close());
    ex.alert(sampleAlert(1), 'raised');
    ex.alert(sampleAlert(1), 'cleared');
    await waitFor(() => lines.length === 2, 5000, 'lines');
    const [a, c] = lines.map(parse5424);
    expect(a!.pri).toBe(19 * 8 + 2);
    expect(c!.pri).toBe(19 * 8 + 5);
    expect(c!.msg).toMatch(/^cleared: /);
  });

  it('logger(1): lines with the right priority and tag reach the socket', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'waakhond-logger-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const sockPath = path.join(dir, 'log');
    let data = '';
    const server = net.createServer((c) => c.on('data', (d: Buffer) => (data += d.toString('utf8'))));
    await new Promise<void>((r) => server.listen(sockPath, r));
    cleanup.push(() => new Promise<void>((r) => { server.close(() => r()); }));
    const ex = startExports({ site_id: 'home-1', syslog: { transport: 'logger', path: sockPath } }, () => undefined);
    ex.alert(sampleAlert(3), 'raised');
    ex.alert(sampleAlert(4, { severity: 'low' }), 'raised');
    await ex.close(); // ends logger's stdin: it flushes and exits
    await waitFor(() => data.split('\n').filter(Boolean).length === 2, 5000, 'logger lines');
    const lines = data.split('\n').filter(Boolean);
    const crit = lines.find((l) => l.includes('critical:'))!;
    const low = lines.find((l) => l.includes('low:'))!;
    expect(crit).toMatch(/^<26>/); // daemon.crit
    expect(low).toMatch(/^<29>/); // daemon.notice
    expect(crit).toMatch(/waakhond/);
    expect(crit).toContain('SYNs to 23/tcp of 3 public addresses');
  });
});

// Node cannot open AF_UNIX datagram sockets, so this receiver (like /dev/log of journald, rsyslog or OpenWrt's logd)
// is a small python3 program; without python3 the test is skipped loudly (and fails in CI).
const HAVE_PY = (() => {
  try {
    execFileSync('python3', ['-c', 'import socket'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
describeNeeds('syslog to a unix datagram socket (/dev/log style)', HAVE_PY ? null : 'python3 (apt-get install python3)', () => {
  it('falls back to logger(1) when the socket is a datagram socket', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'waakhond-dgram-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const sockPath = path.join(dir, 'log');
    const py = spawn('python3', ['-u', '-c', [
      'import socket, sys',
      's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
      `s.bind(${JSON.stringify(sockPath)})`,
      'print("ready", flush=True)',
      'while True:',
      '    sys.stdout.write(s.recv(65536).decode("utf-8", "replace").replace("\\n", " ") + "\\n"); sys.stdout.flush()',
    ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.push(() => { py.kill(); });
    let out = '';
    py.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    await waitFor(() => out.startsWith('ready'), 5000, 'python receiver');
    const logs: string[] = [];
    const ex = startExports({ site_id: 'home-1', syslog: { transport: 'unix', path: sockPath } }, (m) => logs.push(m));
    ex.alert(sampleAlert(5), 'raised');
    await waitFor(() => out.split('\n').length > 2, 5000, 'datagram');
    await ex.close();
    expect(logs.join('\n')).toMatch(/datagram socket; sending through logger/);
    const line = out.split('\n')[1]!;
    expect(line).toMatch(/^<26>/);
    expect(line).toContain('critical: Device scans the internet for telnet: SYNs to 23/tcp of 5 public addresses');
  });
});
