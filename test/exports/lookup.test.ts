// Abuse-report lookup on a real capture: the Hide and Seek botnet on a Raspberry Pi (slips test7) scans public
// addresses on telnet; a report naming one of those addresses and a time must lead to b8:27:eb:c7:e9:c9.
// Ground truth from tshark: frame at 1520629064.781449 is a SYN b8:27:eb:c7:e9:c9 192.168.2.16:40006 -> 67.189.205.92:23.
import { afterEach, beforeAll, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeFiles } from '../../sensor/analyze.js';
import { ConnLog } from '../../sensor/connlog.js';
import type { TcpSynEvent } from '../../sensor/events.js';
import { runLookup } from '../../ui/server/exports/lookup-command.js';
import { lookupRoutes } from '../../ui/server/exports/lookup-route.js';
import { saveConnLog } from '../../ui/server/exports/connlog-file.js';
import { describeShared, pcap } from '../helpers/shared.js';

const HNS = () => pcap('slips/hide-and-seek_test7-malicious.pcap');
const PI = 'b8:27:eb:c7:e9:c9';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await runLookup(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const tmp: string[] = [];
afterEach(() => {
  for (const d of tmp.splice(0)) rmSync(d, { recursive: true, force: true });
});

describeShared('waakhond lookup on the Hide and Seek capture', () => {
  let log: ConnLog;
  let syns: TcpSynEvent[];
  let names: Map<string, { name: string | null; vendor: string | null; model: string | null; category: string }>;

  beforeAll(async () => {
    log = new ConnLog();
    syns = [];
    const report = await analyzeFiles([HNS()], {
      ruleDirs: [],
      sinks: [log.observe, (e) => { if (e.type === 'tcp_syn' && e.direction === 'outbound') syns.push(e); }],
    });
    names = new Map(report.devices.map((d) => [d.mac, d]));
  });

  it('the command finds the infected Pi from remote IP:port and time (JSON)', async () => {
    const r = await cli(['--pcap', HNS(), '--remote', '67.189.205.92:23', '--at', '2018-03-09T20:57:50Z', '--window', '60', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.found).toBe(true);
    expect(j.devices.map((d: { mac: string }) => d.mac)).toEqual([PI]);
    expect(j.devices[0].local_ips).toEqual(['192.168.2.16']);
    expect(j.matches[0]).toMatchObject({ mac: PI, local_ip: '192.168.2.16', local_port: 40006, remote_ip: '67.189.205.92', remote_port: 23, proto: 'tcp', time: '2018-03-09T20:57:44.781Z' });
    expect(j.matches[0].records).toBeGreaterThan(1); // the SYN retransmits, merged
  });

  it('the command prints text, and says "none found" (exit 1) outside the window', async () => {
    const hit = await cli(['--pcap', HNS(), '--remote', '67.189.205.92:23', '--at', '1520629064']);
    expect(hit.code).toBe(0);
    expect(hit.out).toContain(PI);
    expect(hit.out).toMatch(/tcp 192\.168\.2\.16:40006 -> 67\.189\.205\.92:23/);
    const miss = await cli(['--pcap', HNS(), '--remote', '67.189.205.92:23', '--at', '2018-03-09T23:00:00Z', '--window', '60']);
    expect(miss.code).toBe(1);
    expect(miss.out).toContain('none found');
    const wrongPort = await cli(['--pcap', HNS(), '--remote', '67.189.205.92:2323', '--at', '1520629064']);
    expect(wrongPort.code).toBe(1);
  });

  it('a window wholly or partly outside the capture is not complete: "not found" there means "not known"', async () => {
    // The capture spans 20:49:16 .. 20:59:58.
    const outside = JSON.parse((await cli(['--pcap', HNS(), '--remote', '67.189.205.92:23', '--at', '2018-03-09T23:00:00Z', '--window', '60', '--json'])).out);
    expect(outside).toMatchObject({ found: false, complete: false, recorded: { window: 'outside', from: '2018-03-09T20:49:16.520Z' } });
    const partly = JSON.parse((await cli(['--pcap', HNS(), '--remote', '67.189.205.92:2323', '--at', '2018-03-09T20:59:30Z', '--window', '60', '--json'])).out);
    expect(partly).toMatchObject({ found: false, complete: false, recorded: { window: 'partly outside' } });
    const inside = JSON.parse((await cli(['--pcap', HNS(), '--remote', '67.189.205.92:2323', '--at', '2018-03-09T20:55:00Z', '--window', '60', '--json'])).out);
    expect(inside).toMatchObject({ found: false, complete: true, recorded: { window: 'inside' } });
    const text = await cli(['--pcap', HNS(), '--remote', '67.189.205.92:23', '--at', '2018-03-09T23:00:00Z', '--window', '60']);
    expect(text.out).toMatch(/the window is outside what was recorded/);
  });

  it('usage errors exit 2 with a message', async () => {
    expect((await cli(['--remote', '1.2.3.4'])).code).toBe(2);
    const bad = await cli(['--pcap', HNS(), '--remote', 'nope', '--at', '1520629064']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/not an IP/);
  });

  it('every outbound SYN in the capture is found again by its remote, port and time', () => {
    expect(syns.length).toBeGreaterThan(200);
    const remotes = new Set(syns.map((s) => s.dst_ip));
    expect(remotes.size).toBeGreaterThan(100);
    for (const s of syns) {
      const r = log.query({ remote_ip: s.dst_ip, remote_port: s.dst_port, at: s.ts, window_s: 0 });
      expect(r.matches.some((m) => m.mac === s.src_mac && m.local_port === s.src_port), `${s.dst_ip}:${s.dst_port}`).toBe(true);
    }
    const scanners = new Set(syns.filter((s) => [23, 2323].includes(s.dst_port) && !s.dst_ip.startsWith('192.168.')).map((s) => s.src_mac));
    expect([...scanners]).toEqual([PI]);
  });

  it('GET /api/lookup answers from the live ring, naming the device', async () => {
    const app = lookupRoutes({ connlog: log, describe: (mac) => names.get(mac) });
    const res = await app.request('/api/lookup?remote=67.189.205.92:23&at=2018-03-09T20:57:44Z&window=30');
    expect(res.status).toBe(200);
    const j = await res.json();
    expect(j).toMatchObject({ found: true, complete: true, devices: [{ mac: PI, local_ips: ['192.168.2.16'] }] });
    expect(j.devices[0].vendor).toBe(names.get(PI)!.vendor);
    expect(j.log.entries).toBe(log.stats.entries);
    expect((await app.request('/api/lookup?remote=67.189.205.92')).status).toBe(400);
    const bad = await app.request('/api/lookup?remote=67.189.205.92&at=noon');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/ISO-8601/);
  });

  it('--data DIR answers from the connection log the daemon saved', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'waakhond-connlog-'));
    tmp.push(dir);
    saveConnLog(log, dir);
    const r = await cli(['--data', dir, '--remote', '67.189.205.92:23', '--at', '1520629064', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).devices[0].mac).toBe(PI);
    const none = await cli(['--data', path.join(dir, 'missing'), '--remote', '1.2.3.4', '--at', '1520629064']);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/no connection log/);
  });
});
