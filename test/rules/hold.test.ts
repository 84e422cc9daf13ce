// Holding a known scanner (rules/engine/hold.ts, sensor/scan-hold.ts): a device with an open alert of a
// hold rule has its SYNs to the internet counted into its alerts instead of made into events. What a
// household reads must not change: the same alerts, the same attempt and address counts.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFiles, type Report, type ReportAlert } from '../../sensor/analyze.js';
import { ConnLog } from '../../sensor/connlog.js';
import { Pipeline } from '../../sensor/pipeline.js';
import { openCaptureFile } from '../../sensor/capture/file.js';
import { ipv4ToString } from '../../sensor/decode/format.js';
import { RuleEngine, loadRulePacks, defaultPackDirs } from '../../rules/engine/engine.js';
import { parseRuleText } from '../../rules/engine/load.js';
import { fnv1aIp4, hash32, hash32Ip4 } from '../../rules/engine/counters.js';
import { writeSynScan } from '../bench/synscan.js';
import { scratchDir } from '../helpers/scratch.js';
import { describeShared, pcap } from '../helpers/shared.js';
import { writePcap, type PcapRecord } from '../gen/pcap.js';
import { TCP, dnsPayload, tcpFrame, udpFrame } from '../gen/packets.js';

const CAM = '00:12:6d:5a:0b:01';
const counters = (a: ReportAlert | undefined): Record<string, unknown> => (a?.evidence.find((e) => e.kind === 'counters') ?? {}) as Record<string, unknown>;
const byRule = (r: Report, rule: string): ReportAlert | undefined => r.alerts.find((a) => a.rule === rule);
const keys = (r: Report): string[] => r.alerts.map((a) => `${a.rule}|${a.device}|${a.severity}`).sort();

describe('a generated Mirai-style scan (100,000 SYNs at 100 k/s): held and not held', async () => {
  const file = path.join(scratchDir('waakhond-hold-'), 'scan.pcap');
  await writeSynScan(file, 100_000);
  const held = await analyzeFiles([file]);
  const free = await analyzeFiles([file], { hold: false });

  it('holds the camera: almost every SYN is counted, not made into an event', () => {
    expect(held.stats.held_syns).toBeGreaterThan(99_000);
    expect(free.stats.held_syns).toBe(0);
    // Two events per SYN (tcp_syn, then conn when the attempt ends) without the hold.
    expect(free.stats.events).toBeGreaterThan(199_000);
    expect(held.stats.events).toBeLessThan(free.stats.events / 50);
  });

  it('raises the same alerts for the same device with the same severity', () => {
    expect(keys(held)).toEqual(keys(free));
    expect(keys(held)).toContain(`mirai.scan.seq-equals-dst|${CAM}|critical`);
  });

  it('counts the same probes and the same distinct addresses', () => {
    const seq = 'mirai.scan.seq-equals-dst';
    // Every SYN of the generator has seq = destination: the attempts counted are exact either way.
    expect(counters(byRule(held, seq)).events).toBe(counters(byRule(free, seq)).events);
    // (a few dozen of the generator's random destinations fall in private ranges: internal, not matched)
    expect(counters(byRule(held, seq)).events).toBeGreaterThanOrEqual(99_900);
    const telnet = 'mirai.scan.telnet-ports';
    // Distinct addresses: the held path adds the same text hash to the alert's sketch.
    expect(counters(byRule(held, telnet)).distinct).toBe(counters(byRule(free, telnet)).distinct);
    const ev = (r: Report) => counters(byRule(r, telnet)).events as number;
    // Not held, a key's matches still short of its threshold when the capture ends are not counted: <= 9 apart.
    expect(Math.abs(ev(held) - ev(free))).toBeLessThan(10);
    // An unanswered attempt: held, a SYN counts when sent; not held, when its flow ends (some never do here).
    const un = (r: Report) => counters(byRule(r, 'mirai.scan.unanswered')).events as number;
    expect(Math.abs(un(held) - un(free)) / un(free)).toBeLessThan(0.01);
  });

  it('says in the alert that the device is held, in its evidence', () => {
    const a = byRule(held, 'mirai.scan.telnet-ports')!;
    expect(a.evidence.some((e) => e.kind === 'held')).toBe(true);
    expect(byRule(free, 'mirai.scan.telnet-ports')!.evidence.some((e) => e.kind === 'held')).toBe(false);
  });
});

/** A scan of `n` probes from the camera starting at t0 (Mirai's seq = destination), 1 ms apart. */
function scan(t0: number, n: number, first: number): PcapRecord[] {
  const out: PcapRecord[] = [];
  for (let i = 0; i < n; i++) {
    const dst = 0x2d000000 + first + i; // 45.0.0.0/8: public
    out.push({
      ts: t0 + i * 1000,
      data: tcpFrame(CAM, 'e0:28:6d:0c:1a:2b', '192.168.1.50', ipv4ToString(dst), { sport: 40000 + (i % 20000), dport: 23, seq: dst, flags: TCP.SYN }),
    });
  }
  return out;
}

describe('what a hold passes on, and when it ends', () => {
  const dir = scratchDir('waakhond-hold-');
  const T0 = Date.UTC(2026, 0, 1) * 1000;

  it('a held device\'s SYN to port 48101 (Mirai reporting a cracked login) is still an event and raises its alert', async () => {
    const file = path.join(dir, 'report.pcap');
    const recs = scan(T0, 2000, 0);
    recs.push({ ts: T0 + 2_500_000, data: tcpFrame(CAM, 'e0:28:6d:0c:1a:2b', '192.168.1.50', '45.1.2.3', { sport: 51000, dport: 48101, seq: 1, flags: TCP.SYN }) });
    writePcap(file, recs);
    const r = await analyzeFiles([file]);
    expect(r.stats.held_syns).toBeGreaterThan(1900);
    expect(byRule(r, 'mirai.report.port-48101')?.device).toBe(CAM);
  });

  it('a hold ends after a minute without held SYNs; a second scan is seen by the rules and held again, every probe counted', async () => {
    const file = path.join(dir, 'two-scans.pcap');
    writePcap(file, [...scan(T0, 3000, 0), ...scan(T0 + 300_000_000, 3000, 10_000)]);
    const r = await analyzeFiles([file]);
    const free = await analyzeFiles([file], { hold: false });
    expect(r.stats.held_syns).toBeGreaterThan(5900);
    const seq = byRule(r, 'mirai.scan.seq-equals-dst');
    expect(counters(seq).events).toBe(6000);
    expect(counters(seq).events).toBe(counters(byRule(free, 'mirai.scan.seq-equals-dst')).events);
    expect(Date.parse(seq!.last_seen) - Date.parse(seq!.first_seen)).toBeGreaterThan(300_000);
  });

  it('a SYN flood (Mirai attack_tcp_syn: one target, random source ports) is held once mirai.flood.syn fires', async () => {
    const file = path.join(dir, 'flood.pcap');
    const recs: PcapRecord[] = [];
    for (let i = 0; i < 30_000; i++) { // 5,000 SYN/s for 6 s
      recs.push({ ts: T0 + i * 200, data: tcpFrame(CAM, 'e0:28:6d:0c:1a:2b', '192.168.1.50', '45.9.9.9', { sport: 1024 + ((i * 7919) % 60000), dport: 80, seq: i * 2654435761, flags: TCP.SYN }) });
    }
    writePcap(file, recs);
    const r = await analyzeFiles([file]);
    const free = await analyzeFiles([file], { hold: false });
    expect(byRule(r, 'mirai.flood.syn')?.device).toBe(CAM);
    // Held from the third second on (the rule wants 3 seconds over 1,000 SYN/s).
    expect(r.stats.held_syns).toBeGreaterThan(10_000);
    expect(keys(r)).toEqual(keys(free));
    expect(counters(byRule(r, 'mirai.flood.syn')).events).toBe(counters(byRule(free, 'mirai.flood.syn')).events);
  });

  it('a UDP flood (Mirai attack_udp_generic: random ports, 512-byte payloads) is held once a flood rule fires; DNS still goes the usual way', async () => {
    const file = path.join(dir, 'udp-flood.pcap');
    const recs: PcapRecord[] = [];
    const payload = new Uint8Array(512);
    for (let i = 0; i < 36_000; i++) { // 6,000 datagrams/s for 6 s
      const dport = 1 + ((i * 2654435761) >>> 0) % 65000;
      if (dport === 53 || dport === 123 || dport === 443) continue;
      recs.push({ ts: T0 + Math.round(i * 1e6 / 6000), data: udpFrame(CAM, 'e0:28:6d:0c:1a:2b', '192.168.1.50', '45.9.9.9', 1024 + (i % 60000), dport, payload) });
    }
    // A DNS query to a public resolver in the middle of the flood: a room wants it, so it is an event.
    recs.push({ ts: T0 + 5_000_000, data: udpFrame(CAM, 'e0:28:6d:0c:1a:2b', '192.168.1.50', '8.8.8.8', 40000, 53, dnsPayload({ type: 'query', id: 7, questions: [{ type: 'A', name: 'cnc.example' }] })) });
    recs.sort((a, b) => a.ts - b.ts);
    writePcap(file, recs);
    const dns: string[] = [];
    const r = await analyzeFiles([file], { onEvent: (e) => { if (e.type === 'dns') dns.push(e.questions[0]?.name ?? ''); } });
    const free = await analyzeFiles([file], { hold: false });
    expect(byRule(r, 'mirai.flood.udp')?.device).toBe(CAM);
    expect(r.stats.held_datagrams).toBeGreaterThan(10_000);
    expect(keys(r)).toEqual(keys(free));
    expect(dns).toContain('cnc.example');
  });

  it('held SYNs still reach the connection log, so an abuse report on a scanned address finds the camera', async () => {
    const file = path.join(dir, 'lookup.pcap');
    writePcap(file, scan(T0, 3000, 0));
    const { rules } = loadRulePacks(defaultPackDirs());
    const engine = new RuleEngine(rules);
    const log = new ConnLog(10_000);
    const pipeline = new Pipeline({ sinks: [(e) => engine.observe(e), log.observe], held: engine, onHeldSyn: log.heldSyn });
    engine.onHold = (mac, h) => pipeline.hold(mac, h);
    for await (const batch of openCaptureFile(file)) pipeline.push(batch);
    pipeline.finish();
    expect(pipeline.stats.held_syns).toBeGreaterThan(2900);
    const last = ipv4ToString(0x2d000000 + 2999);
    const q = log.query({ remote_ip: last, at: T0 + 2999 * 1000, window_s: 5 });
    expect(q.devices.map((d) => d.mac)).toEqual([CAM]);
    expect(q.matches[0]).toMatchObject({ remote_port: 23, local_ip: '192.168.1.50', proto: 'tcp' });
  });
});

describe('hold rules are checked when loaded', () => {
  const base = `id: test.hold.bad
title: A bad hold rule
severity: high
summary: "{device} scans"
text:
  nl: { title: "{device} scant", summary: "{device} scant" }
  en: { title: "{device} scans", summary: "{device} scans" }
suppress_for: 1h
hold: true
`;
  const reasons = (yaml: string): string[] => parseRuleText('bad.yaml', base + yaml).errors.map((e) => e.reason);

  it('refuses a hold on another event, on fields a held SYN is not known by, or keyed per destination', () => {
    expect(reasons('match: { event: dns }\n').join('\n')).toMatch(/must match tcp_syn, conn or traffic/);
    expect(reasons('match: { event: tcp_syn, ttl: { gte: 200 } }\n').join('\n')).toMatch(/not matched on "ttl"/);
    expect(reasons('match: { event: tcp_syn, dst_ip: { cidr: 10.0.0.0/8 } }\n').join('\n')).toMatch(/dst_ip may only be/);
    expect(reasons('match: { event: tcp_syn }\ngroup_by: [device, dst_ip]\n').join('\n')).toMatch(/group_by must be \[device\]/);
  });

  it('accepts the shape of the packs\' scan rules', () => {
    expect(reasons('match: { event: tcp_syn, direction: outbound, dst_port: [23], dst_ip: { public: true } }\nthreshold: { distinct: dst_ip, min: 10 }\n')).toEqual([]);
  });
});

it('the held path hashes an address as the text events carry (the sketches of both paths agree)', () => {
  let x = 0x12345678;
  for (let i = 0; i < 10_000; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const ip = i < 5 ? [0, 0x0a000001, 0xffffffff, 0x01020304, 0x64646464][i]! : x;
    expect(hash32Ip4(ip)).toBe(hash32(ipv4ToString(ip)));
    let h = 0x811c9dc5;
    for (const ch of ipv4ToString(ip)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
    expect(fnv1aIp4(ip)).toBe(h >>> 0);
  }
});

describeShared('a real scanner (Stratosphere\'s Hide and Seek capture)', () => {
  it('is held, and raises the same alerts as when every SYN is an event', async () => {
    const file = pcap('slips/hide-and-seek_test7-malicious.pcap');
    const held = await analyzeFiles([file]);
    const free = await analyzeFiles([file], { hold: false });
    expect(held.stats.held_syns).toBeGreaterThan(0);
    expect(keys(held)).toEqual(keys(free));
    for (const a of free.alerts) {
      const h = held.alerts.find((x) => x.rule === a.rule && x.device === a.device)!;
      if (!('distinct' in counters(a))) continue;
      // Not held, an alert takes in a key's addresses when the threshold is crossed: those reached after
      // the last crossing are left out (fewer than the threshold). Held, every address counts.
      const d = (counters(h).distinct as number) - (counters(a).distinct as number);
      expect(d, a.rule).toBeGreaterThanOrEqual(0);
      expect(d, a.rule).toBeLessThan(counters(a).threshold_min as number);
    }
  });
});
