// How shards' results become one (sensor/shard/merge.ts), on records built here: a device's owner shard
// speaks for it, the router is merged from all, an address has one device, alerts about a device
// come from its owner.
import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../../sensor/analyze.js';
import type { DeviceRecord } from '../../../sensor/inventory/inventory.js';
import type { Device, Evidence } from '../../../sensor/inventory/types.js';
import { mergeResults } from '../../../sensor/shard/merge.js';
import { macHashOf, shardOf } from '../../../sensor/shard/key.js';
import type { Alert } from '../../../rules/engine/types.js';

/** A MAC (00:1a:22:00:00:xx) that hashes to shard `want` of 2. */
function macIn(want: number, skip = 0): string {
  let found = 0;
  for (let i = 1; i < 256; i++) {
    const mac = `00:1a:22:00:00:${i.toString(16).padStart(2, '0')}`;
    if (shardOf(macHashOf(mac), 2) === want && found++ === skip) return mac;
  }
  throw new Error('no MAC');
}

function device(mac: string, o: Partial<Device> = {}): Device {
  return {
    mac, ips: [], ipv6: [], vendor: null, model: null, category: 'other', name: null, hostname: null, confidence: 0,
    evidence: [], first_seen: 1_000, last_seen: 2_000, private_mac: false, ...o,
  };
}

function record(d: Device, evidence: [string, Evidence][] = []): DeviceRecord {
  return { device: d, evidence: evidence.map(([, e]) => e), keys: evidence.map(([k]) => k), client: false };
}

function result(devices: DeviceRecord[], alerts: Alert[] = []): AnalysisResult {
  return {
    devices, alerts, first_ts: 1_000, last_ts: 9_000, baseline: null,
    counters: { packets: 10, bytes: 100, malformed: 0, unsupported_link: 0, ip_fragments: 0, tunneled: 0, tunnel_too_deep: 0, unparsed: 0, unanswered_inbound: 0, flows_evicted: 0, held_syns: 0, held_datagrams: 0, internal_errors: 0, events: 5 },
  };
}

function alert(id: string, dev: string | null, count: number): Alert {
  return { id, rule: id.split('/')[0], title: 't', severity: 'high', device: dev, first_seen: 1_500, last_seen: 1_600, count, summary: `${count}`, evidence: [], advice: null, group: dev ? { device: dev } : {} };
}

describe('merging shards', () => {
  it('takes a device from its owner shard, with the times the other shard saw it', () => {
    const cam = macIn(1);
    const owner = record(device(cam, { vendor: 'Hikvision', category: 'camera', first_seen: 1_200, last_seen: 5_000 }));
    const copy = record(device(cam, { vendor: null, first_seen: 1_100, last_seen: 4_000 }));
    const [d] = mergeResults([result([copy]), result([owner])], null).devices;
    expect(d.vendor).toBe('Hikvision');
    expect(d.category).toBe('camera');
    expect([d.first_seen, d.last_seen]).toEqual([1_100, 5_000]);
  });

  it('merges the router: its owner\'s evidence, the others\' gateway lines and the earliest OUI time', () => {
    const router = macIn(0);
    const ua: Evidence = { source: 'http', detail: 'HTTP User-Agent Dalvik (Redmi Note 9 Pro)', weight: 0.5, vendor: 'Xiaomi', model: 'Redmi Note 9 Pro', category: 'phone', ts: 1_500 };
    const uaModel: Evidence = { source: 'http', detail: ua.detail, weight: 0.4, model: 'Redmi Note 9 Pro', category: 'phone', ts: 1_500 };
    const oui = (ts: number): Evidence => ({ source: 'oui', detail: 'OUI 60:38:e0 Belkin International Inc.', vendor: 'Belkin', weight: 0.35, ts });
    const gateway: Evidence = { source: 'arp', detail: 'Forwards traffic from the Internet (the home\'s gateway)', category: 'router', weight: 1, ts: 3_000 };
    const junk: Evidence = { source: 'tls', detail: 'TLS SNI of a site the router only forwarded', vendor: 'Netflix', weight: 0.9, ts: 2_500 };
    // Two rules matched the same User-Agent: same detail and model, different keys. Both must count.
    const own = record(device(router, { router: true }), [['rule:ua-model\u0000Redmi Note 9 Pro', uaModel], ['rule:ua-vendor\u0000Redmi Note 9 Pro', ua], ['oui', oui(2_000)]]);
    const other = record(device(router, { router: true }), [['oui', oui(1_000)], ['gw', gateway], ['tls', junk]]);
    const [d] = mergeResults([result([own]), result([other])], null).devices;
    expect(d.router).toBe(true);
    expect(d.category).toBe('router');
    expect(d.vendor).toBe('Xiaomi');
    const details = d.evidence.map((e) => e.detail);
    expect(details).toContain(gateway.detail);
    expect(details).not.toContain(junk.detail);
    expect(d.evidence.find((e) => e.source === 'oui')?.ts).toBe(1_000);
  });

  it('gives an address two shards bound to two devices to the one seen last', () => {
    const a = macIn(0);
    const b = macIn(1);
    const r = mergeResults([
      result([record(device(a, { ips: ['192.168.1.5', '192.168.1.6'], last_seen: 3_000 }))]),
      result([record(device(b, { ips: ['192.168.1.5'], last_seen: 4_000 }))]),
    ], null);
    expect(r.devices.find((d) => d.mac === a)?.ips).toEqual(['192.168.1.6']);
    expect(r.devices.find((d) => d.mac === b)?.ips).toEqual(['192.168.1.5']);
  });

  it('takes alerts about a device from its owner, adds up the others, and counts packets once per shard', () => {
    const cam = macIn(1);
    const r = mergeResults([
      result([], [alert(`scan/${cam}`, cam, 7), alert('sweep/home', null, 1)]),
      result([], [alert(`scan/${cam}`, cam, 40), alert('sweep/home', null, 2)]),
    ], null);
    expect(r.alerts.find((x) => x.id === `scan/${cam}`)?.count).toBe(40);
    expect(r.alerts.find((x) => x.id === 'sweep/home')?.count).toBe(3);
    expect(r.counters.packets).toBe(20);
    expect([r.first_ts, r.last_ts]).toEqual([1_000, 9_000]);
  });
});
