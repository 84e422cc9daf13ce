// The device history (store/history.ts): online periods, timeline, destinations by name, 24 h traffic; every table bounded and saved.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HISTORY_LIMITS, History, OFFLINE_AFTER_US, validHistory } from '../../../ui/server/store/history.js';
import { Store } from '../../../ui/server/store/store.js';
import type { WaakhondEvent } from '../../../sensor/events.js';
import { CAMERA, device, login, makeApp, miraiAlert } from './fixture.js';

const CAM = 'c0:56:e3:17:8a:4d';
const T0 = 1_700_000_000_000_000;
const MIN = 60_000_000;
const ends = { src_mac: CAM, dst_mac: 'e0:28:6d:4a:10:01', src_ip: '192.168.1.40', direction: 'outbound' as const };

function conn(dst: string, bytes: number, ts: number): WaakhondEvent {
  return { type: 'conn', ...ends, dst_ip: dst, ts, end_ts: ts, proto: 'tcp', ip_proto: 6, src_port: 40000, dst_port: 443, state: 'SF', orig_pkts: 1, orig_bytes: bytes, resp_pkts: 0, resp_bytes: 0, reason: 'closed' } as WaakhondEvent;
}

describe('device history', () => {
  const host = { deviceOf: (m: string) => (m === CAM ? CAM : null) };

  it('online periods open after a silence longer than OFFLINE_AFTER_US, and stay bounded', () => {
    const h = new History(host);
    h.traffic(CAM, T0, 10, 10);
    h.traffic(CAM, T0 + MIN, 10, 10);
    h.traffic(CAM, T0 + MIN + OFFLINE_AFTER_US + 1, 10, 10);
    expect(h.data[CAM].periods).toEqual([[T0, T0 + MIN], [T0 + MIN + OFFLINE_AFTER_US + 1, T0 + MIN + OFFLINE_AFTER_US + 1]]);
    for (let i = 0; i < HISTORY_LIMITS.periods * 2; i++) h.traffic(CAM, T0 + (i + 2) * 2 * OFFLINE_AFTER_US, 1, 1);
    expect(h.data[CAM].periods.length).toBe(HISTORY_LIMITS.periods);
    expect(h.data[CAM].traffic.length).toBeLessThanOrEqual(HISTORY_LIMITS.buckets);
    const lastSeen = h.data[CAM].periods.at(-1)![1];
    expect(h.view(CAM, lastSeen + OFFLINE_AFTER_US).online).toBe(true);
    expect(h.view(CAM, lastSeen + OFFLINE_AFTER_US + 1).online).toBe(false);
  });

  it('names destinations from the device\'s own DNS answers and TLS SNI, sums 24 h, and keeps the top N with the rest as "other"', () => {
    const h = new History(host);
    h.observe({ type: 'dns', ts: T0, src_mac: 'e0:28:6d:4a:10:01', dst_mac: CAM, src_ip: '192.168.1.1', dst_ip: '192.168.1.40', direction: 'internal', mdns: false, llmnr: false, transport: 'udp', src_port: 53, dst_port: 5353, id: 1, response: true, opcode: 0, rcode: 0, questions: [{ name: 'dev.hik-connect.com', type: 'A' }], answers: [{ name: 'dev.hik-connect.com', type: 'A', ttl: 60, data: '52.1.2.3' }] } as WaakhondEvent);
    h.observe(conn('52.1.2.3', 1000, T0 + MIN));
    h.observe(conn('52.1.2.3', 500, T0 + 2 * MIN));
    h.observe(conn('45.95.147.250', 50, T0 + 2 * MIN));
    // Scanning: many tiny peers push each other out, never the named one with most traffic.
    for (let i = 0; i < 200; i++) h.observe(conn(`203.0.113.${i}`, 10, T0 + 3 * MIN));
    const v = h.view(CAM, T0 + 3 * MIN);
    expect(v.destinations[0]).toMatchObject({ name: 'dev.hik-connect.com', named: true, bytes: 1500 });
    expect(v.destinations.length).toBe(HISTORY_LIMITS.destinations);
    const listed = v.destinations.reduce((s, d) => s + d.bytes, 0);
    expect(listed + v.other_bytes).toBe(1500 + 50 + 200 * 10);
    // A day later the old traffic no longer counts.
    expect(h.view(CAM, T0 + 25 * 60 * MIN).destinations).toEqual([]);
  });

  it('the store records first-seen, identity changes and new alerts on the timeline, saves it, and refuses a damaged one', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'waakhond-history-'));
    const store = new Store({ dataDir, fsync: false, saveDelayMs: 10 });
    store.load();
    const dev = { mac: CAM, ips: [], ipv6: [], vendor: 'Hikvision', model: null, category: 'other' as const, name: null, hostname: null, confidence: 0.35, evidence: [], first_seen: T0, last_seen: T0, private_mac: false };
    store.upsertDevice(dev);
    store.upsertDevice({ ...dev, last_seen: T0 + MIN });
    store.upsertDevice({ ...dev, model: 'DS-2CD2032-I', category: 'camera', confidence: 0.99, last_seen: T0 + 2 * MIN });
    const alert = { id: `a|${CAM}`, rule: 'r', title: 'Mirai', severity: 'critical' as const, device: CAM, first_seen: T0 + 3 * MIN, last_seen: T0 + 3 * MIN, count: 1, summary: 's', advice: null, group: {}, evidence: [] };
    store.upsertAlert(alert);
    store.upsertAlert({ ...alert, count: 2, last_seen: T0 + 4 * MIN });
    expect(store.history.data[CAM].timeline.map((e) => e.kind)).toEqual(['first-seen', 'identity', 'alert']);
    store.flush();
    const again = new Store({ dataDir, fsync: false });
    again.load();
    expect(again.history.view(CAM, T0 + 4 * MIN).timeline.map((e) => e.kind)).toEqual(['alert', 'identity', 'first-seen']);
    // A damaged history is dropped and counted, the rest loads.
    const h = new History(host);
    h.restore({ [CAM]: { periods: 'no' }, 'aa:bb:cc:dd:ee:ff': again.history.data[CAM] });
    expect(Object.keys(h.data)).toEqual(['aa:bb:cc:dd:ee:ff']);
    expect(h.stats.dropped_invalid).toBe(1);
    expect(validHistory({ ...again.history.data[CAM], timeline: new Array(HISTORY_LIMITS.timeline + 1).fill({ ts: 1, kind: 'first-seen', to: { vendor: null, model: null, category: 'other' } }) })).toBe(false);
    // A forgotten device takes its history with it; entries older than the bound go.
    again.removeDevice(CAM);
    again.history.prune(T0, (k) => !!again.data.devices[k]);
    expect(again.history.data[CAM]).toBeUndefined();
  });

  it('GET /api/devices/:mac/history needs a session, checks the MAC, and shows the alert on the timeline', async () => {
    const { app } = makeApp();
    expect((await app.request(`/api/devices/${CAMERA}/history`)).status).toBe(401);
    const { cookie } = await login(app);
    expect((await app.request('/api/devices/not-a-mac/history', { headers: { cookie } })).status).toBe(400);
    expect((await app.request('/api/devices/00:00:00:00:00:01/history', { headers: { cookie } })).status).toBe(404);
    const r = await app.request(`/api/devices/${CAMERA}/history?lang=nl`, { headers: { cookie } });
    expect(r.status).toBe(200);
    const h = await r.json() as { timeline: { kind: string; alert?: string }[]; bounds: { days: number } };
    expect(h.bounds.days).toBe(HISTORY_LIMITS.days);
    expect(h.timeline.map((e) => e.kind)).toEqual(['alert', 'first-seen']);
    expect(h.timeline[0].alert).toBe(miraiAlert().id);
  });

  it('a device the store evicts (its device cap: a spoofed-MAC flood) takes its history with it at once', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'waakhond-history-cap-'));
    const store = new Store({ dataDir, fsync: false, maxDevices: 10 });
    for (let i = 0; i < 500; i++) {
      const mac = `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      store.upsertDevice(device(mac, { first_seen: T0 + i, last_seen: T0 + i }));
    }
    expect(Object.keys(store.data.devices).length).toBe(10);
    // Every history belongs to a device still stored: none of the 490 evicted ones is left behind.
    expect(Object.keys(store.history.data).sort()).toEqual(Object.keys(store.data.devices).sort());
  });
});
