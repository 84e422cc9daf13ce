// The device history a household reads (periods, destinations by name, "other", timeline, 24 h traffic) is the
// same after the per-event work was cut (issue #15): real captures' events go through today's History and the
// one of d95ecb1 (reference/history-d95ecb1.ts), and every device's table and page must be equal.
import path from 'node:path';
import { expect, it } from 'vitest';
import { openCaptureFile } from '../../../sensor/capture/file.js';
import type { WaakhondEvent } from '../../../sensor/events.js';
import { Pipeline } from '../../../sensor/pipeline.js';
import { History } from '../../../ui/server/store/history.js';
import { History as ReferenceHistory } from './reference/history-d95ecb1.js';
import { describeShared, pcap, PROJECT_ROOT } from '../../helpers/shared.js';

/** The demo home (in the repository) and shared captures with a scanner (many peers), DNS, TLS SNI and HTTP Host names. */
const CAPTURES = [
  'slips/hide-and-seek_test7-malicious.pcap',
  'ndpi/pcap/1kxun.pcap',
  'ndpi/pcap/alexa-app.pcapng',
  'ndpi/pcap/netflix.pcap',
];

async function eventsOf(file: string): Promise<WaakhondEvent[]> {
  const all: WaakhondEvent[] = [];
  const pipeline = new Pipeline({ sinks: [(e) => all.push(e)] });
  for await (const batch of openCaptureFile(file)) pipeline.push(batch);
  pipeline.finish();
  return all;
}

/** Feeds both histories as the store does: every event to observe(), traffic intervals to traffic(). */
function feed(events: WaakhondEvent[], histories: { observe(e: WaakhondEvent): void; traffic(k: string, ts: number, o: number, i: number): void }[]): number {
  let last = 0;
  for (const e of events) {
    for (const h of histories) {
      h.observe(e);
      if (e.type === 'traffic' && e.mac) h.traffic(e.mac, e.ts, e.out_bytes, e.in_bytes);
    }
    if ('ts' in e && e.ts > last) last = e.ts;
  }
  return last;
}

const CAM = 'c0:56:e3:17:8a:4d';
const GW = 'e0:28:6d:4a:10:01';
const T0 = 1_700_000_000_000_000;
const MIN = 60_000_000;

function dns(ts: number, name: string, ips: string[], over: Record<string, unknown> = {}): WaakhondEvent {
  return {
    type: 'dns', ts, src_mac: GW, dst_mac: CAM, src_ip: '192.168.1.1', dst_ip: '192.168.1.40', direction: 'internal', mdns: false, llmnr: false,
    transport: 'udp', src_port: 53, dst_port: 5353, id: 1, response: true, opcode: 0, rcode: 0, questions: [{ name, type: 'A' }],
    answers: [{ name, type: 'CNAME', ttl: 60, data: `cdn.${name}` }, ...ips.map((ip) => ({ name, type: ip.includes(':') ? 'AAAA' : 'A', ttl: 60, data: ip }))], ...over,
  } as WaakhondEvent;
}
function conn(dst: string, bytes: number, ts: number, over: Record<string, unknown> = {}): WaakhondEvent {
  return {
    type: 'conn', src_mac: CAM, dst_mac: GW, src_ip: '192.168.1.40', direction: 'outbound', dst_ip: dst, ts, end_ts: ts, proto: 'tcp', ip_proto: 6,
    src_port: 40000, dst_port: 443, state: 'SF', orig_pkts: 1, orig_bytes: bytes, resp_pkts: 1, resp_bytes: 7, reason: 'closed', ...over,
  } as WaakhondEvent;
}

it('device history: names from DNS, SNI and Host (case, root dot, length, port, literals), the name table\'s bound and a scanner give the same as before', () => {
  const host = { deviceOf: (mac: string) => (mac === CAM || mac === GW ? mac : null) };
  const now = new History(host);
  const ref = new ReferenceHistory(host);
  const events: WaakhondEvent[] = [];
  const long = `${'a'.repeat(120)}.example.com.`;
  events.push(dns(T0, 'Dev.Hik-Connect.COM.', ['52.1.2.3', '52.1.2.4', '2001:db8::5']));
  events.push(dns(T0, long, ['52.1.2.9']));
  events.push(dns(T0, 'ignored.example', ['52.1.2.8'], { mdns: true }));
  events.push(dns(T0, 'query-only.example', ['52.1.2.7'], { response: false }));
  events.push({ type: 'tls_client_hello', ts: T0, src_mac: CAM, dst_mac: GW, src_ip: '192.168.1.40', dst_ip: '52.9.9.9', direction: 'outbound', src_port: 40001, dst_port: 443, sni: 'API.Example.NET.' } as unknown as WaakhondEvent);
  for (const [ip, h] of [['52.9.9.10', 'Upd.Example.org:8080'], ['52.9.9.11', '52.9.9.11:80'], ['52.9.9.12', '[2001:db8::1]'], ['52.9.9.13', 'plain.example.']]) {
    events.push({ type: 'http_request', ts: T0, src_mac: CAM, dst_mac: GW, src_ip: '192.168.1.40', dst_ip: ip, direction: 'outbound', src_port: 40002, dst_port: 80, method: 'GET', uri: '/', host: h } as unknown as WaakhondEvent);
  }
  for (const ip of ['52.1.2.3', '52.1.2.4', '2001:db8::5', '52.1.2.9', '52.9.9.9', '52.9.9.10', '52.9.9.11', '52.9.9.12', '52.9.9.13']) events.push(conn(ip, 1000, T0 + MIN));
  // More names than the table holds: the oldest go first, a refreshed one stays.
  for (let i = 0; i < 300; i++) {
    events.push(dns(T0 + 2 * MIN + i, `host${i}.example`, [`10.9.${i >> 8}.${i & 255}`]));
    if (i === 100) events.push(dns(T0 + 2 * MIN + i, 'Dev.Hik-Connect.COM.', ['52.1.2.3']));
  }
  for (let i = 0; i < 300; i += 3) events.push(conn(`10.9.${i >> 8}.${i & 255}`, 10 + i, T0 + 3 * MIN));
  events.push(conn('52.1.2.3', 5, T0 + 3 * MIN), conn('52.1.2.4', 5, T0 + 3 * MIN));
  // A scanner (the gateway here): one new peer after another in a full table, over two days (ties, hours leaving the 24 h).
  let pruneAt = -1;
  for (let i = 0; i < 400; i++) {
    // The store prunes once an hour: here once, at hour 30 of the scan (peers silent for a day leave the table).
    if (i === 300) pruneAt = events.length;
    events.push(conn(`203.0.${i >> 8}.${i & 255}`, i % 5 === 0 ? 10 : 1 + (i % 3), T0 + 4 * MIN + i * 6 * MIN, { src_mac: GW }));
  }
  // Inbound and internal traffic counts for the answering device.
  events.push(conn('192.168.1.1', 77, T0 + 5 * MIN, { direction: 'internal', dst_mac: GW }), conn('198.51.100.1', 66, T0 + 5 * MIN, { direction: 'inbound', src_mac: null, dst_mac: CAM, src_ip: '198.51.100.1', dst_ip: '192.168.1.40' }));
  let last = 0;
  let named = false;
  for (const [i, e] of events.entries()) {
    if (i === pruneAt) {
      named = Object.values(ref.data[CAM].dest).some((d) => d.named);
      expect(now.data).toEqual(ref.data);
      now.prune(last, () => true); ref.prune(last, () => true);
    }
    now.observe(e); ref.observe(e);
    if ('ts' in e && e.ts > last) last = e.ts;
  }
  expect(ref.stats.destinations_replaced).toBeGreaterThan(100);
  expect(named).toBe(true);
  expect(now.stats).toEqual(ref.stats);
  expect(now.data).toEqual(ref.data);
  for (const k of Object.keys(ref.data)) {
    expect(Object.keys(now.data[k].dest)).toEqual(Object.keys(ref.data[k].dest));
    for (const at of [T0 + 3 * MIN, last]) expect(now.view(k, at), k).toEqual(ref.view(k, at));
  }
});

describeShared('device history: the same as before the per-event cut', () => {
  it('gives every device the same periods, destinations, names, "other" bytes and traffic on real captures', { timeout: 120_000 }, async () => {
    // Every MAC counts as a stored device: more of each capture reaches the history than in a home.
    const host = { deviceOf: (mac: string) => mac };
    const now = new History(host);
    const ref = new ReferenceHistory(host);
    let last = 0;
    const files = [path.join(PROJECT_ROOT, 'firmware-scripts/demo/demo-home.pcap'), ...CAPTURES.map(pcap)];
    for (const f of files) last = Math.max(last, feed(await eventsOf(f), [now, ref]));
    // Not vacuous: full tables replaced peers, and peers were named from DNS answers, SNI or Host.
    expect(ref.stats.destinations_replaced).toBeGreaterThan(50);
    const named = Object.values(ref.data).flatMap((h) => Object.values(h.dest)).filter((d) => d.named);
    expect(named.length).toBeGreaterThan(20);
    expect(Object.keys(ref.data).length).toBeGreaterThan(20);

    expect(now.stats).toEqual(ref.stats);
    expect(now.data).toEqual(ref.data);
    // Key order of the destination table decides which peer a full table replaces: it must match too.
    for (const k of Object.keys(ref.data)) expect(Object.keys(now.data[k].dest), k).toEqual(Object.keys(ref.data[k].dest));
    for (const k of Object.keys(ref.data)) {
      expect(now.view(k, last), k).toEqual(ref.view(k, last));
      expect(now.view(k, last + 20 * 3_600_000_000), k).toEqual(ref.view(k, last + 20 * 3_600_000_000));
    }
  });
});
