// The per-device cache gives what a fresh computation gives after every kind of change, and an alert
// recomputes only its own device.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAdviceBook } from '../../../rules/advice/book.js';
import { Store } from '../../../ui/server/store/store.js';
import { Views } from '../../../ui/server/views.js';
import { CAMERA, PLUG, device, miraiAlert } from './fixture.js';

function setup() {
  const store = new Store({ dataDir: mkdtempSync(path.join(tmpdir(), 'waakhond-cache-')), fsync: false, maxAlerts: 10 });
  store.load();
  const book = loadAdviceBook();
  const views = new Views(store, book);
  store.upsertDevice(device(CAMERA, { vendor: 'Hikvision', category: 'camera', name: 'cam', confidence: 0.9 }));
  store.upsertDevice(device(PLUG, { vendor: 'TP-Link', category: 'smart-plug', name: 'plug' }));
  /** The same answers from a Views with nothing cached. */
  const fresh = () => new Views(store, book);
  return { store, views, fresh };
}

describe('StatusCache', () => {
  it('agrees with a fresh computation after alerts, names, answers, advice states, folds and caps', () => {
    const { store, views, fresh } = setup();
    const same = () => {
      const f = fresh();
      for (const lang of ['en', 'nl'] as const) {
        expect(views.devices(lang)).toEqual(f.devices(lang));
        // The list body joined from cached rows, byte for byte what stringifying the fresh list gives.
        expect(views.devicesJson(lang)).toBe(JSON.stringify({ devices: f.devices(lang) }));
        expect(views.alertsBody(lang, null, 500).raw.toString()).toBe(JSON.stringify({ alerts: f.alerts(lang).slice(0, 500) }));
        expect(JSON.parse(views.alertsBody(lang, 'critical', 3).raw.toString())).toEqual({ alerts: f.alerts(lang).filter((a) => a.severity === 'critical').slice(0, 3) });
      }
      expect(views.counts()).toEqual(f.counts());
      expect(views.detail(CAMERA, 'en')).toEqual(fresh().detail(CAMERA, 'en'));
    };
    same();
    store.upsertAlert(miraiAlert(CAMERA));
    same();
    expect(views.devices('en').find((d) => d.mac === CAMERA)?.status).toBe('infected');
    store.setName(CAMERA, 'Hal camera');
    same();
    store.setAnswer(PLUG, { category: 'camera', vendor: 'Acme', name: 'door', at: 1, anchors: { client_id: null, hostname: null } });
    same();
    store.setAdvice(`infected-reset@${CAMERA}`, { state: 'done', at: 1, capture_at: miraiAlert().last_seen });
    same();
    // The same alert again, later: the card done before opens again.
    store.upsertAlert({ ...miraiAlert(CAMERA), last_seen: miraiAlert().last_seen + 1_000_000, count: 9 });
    same();
    // Another MAC of the camera with an alert of its own, then folded into the camera.
    const other = '02:11:22:33:44:55';
    store.upsertDevice(device(other, { private_mac: true }));
    store.upsertAlert({ ...miraiAlert(other), id: `x|${other}` });
    same();
    store.fold(other, CAMERA);
    same();
    expect(views.alertsOf(CAMERA).map((a) => a.id).sort()).toEqual([`mirai.scan.seq-equals-dst|${CAMERA}`, `x|${other}`]);
    // Past the alert cap (10): the oldest go, the index follows.
    for (let i = 0; i < 15; i++) store.upsertAlert({ ...miraiAlert(PLUG), id: `p${i}|${PLUG}`, last_seen: miraiAlert().last_seen + 2_000_000 + i });
    same();
    expect(Object.keys(store.data.alerts)).toHaveLength(10);
    // A device new under its own MAC, with alerts stored under that MAC before it was a device.
    const late = '02:99:88:77:66:55';
    store.upsertAlert({ ...miraiAlert(late), id: `late|${late}`, last_seen: miraiAlert().last_seen + 9_000_000 });
    same();
    store.upsertDevice(device(late, { vendor: 'Acme', category: 'camera', confidence: 0.9 }));
    same();
    expect(views.alertsBody('en', null, 500).raw.toString()).toContain('"device_label":"Acme');
  });

  it('the alert cap drops alerts from the index without a full rebuild', () => {
    const { store, views } = setup();
    for (let i = 0; i < 10; i++) store.upsertAlert({ ...miraiAlert(PLUG), id: `p${i}|${PLUG}`, last_seen: miraiAlert().last_seen + i });
    expect(views.alertsOf(PLUG)).toHaveLength(10);
    const rebuilds = views.cache.stats.rebuilds;
    store.upsertAlert({ ...miraiAlert(CAMERA), last_seen: miraiAlert().last_seen + 100 });
    expect(Object.keys(store.data.alerts)).toHaveLength(10);
    expect(views.alertsOf(PLUG).map((a) => a.id)).not.toContain(`p0|${PLUG}`);
    expect(views.alertsOf(PLUG)).toHaveLength(9);
    expect(views.alertsOf(CAMERA)).toHaveLength(1);
    expect(views.cache.stats.rebuilds).toBe(rebuilds);
  });

  it('a device row follows "last seen" moved by traffic (which the store does not announce)', () => {
    const { store, views } = setup();
    const before = views.row(store.data.devices[PLUG], 'en');
    const ts = store.data.devices[PLUG].last_seen + 5_000_000;
    store.recordTraffic({ type: 'traffic', ts, interval: 1e6, mac: PLUG, ip: null, out_pkts: 1, out_bytes: 100, out_tcp_syn: 0, out_tcp_ack_only: 0, out_udp: 0, out_udp_512: 0, out_gre: 0, out_icmp_echo: 0, out_udp_vse: 0, out_udp_vse_dst: 0, out_distinct_dst: 1, out_distinct_dport: 1, in_pkts: 1, in_bytes: 100, in_tcp_syn: 0, in_udp: 0, in_distinct_src: 1 });
    const after = views.row(store.data.devices[PLUG], 'en');
    expect(after.lastSeenMs).toBe(Math.floor(ts / 1000));
    expect(after.lastSeenMs).toBeGreaterThan(before.lastSeenMs);
    expect(JSON.parse(after.json).last_seen_ms).toBe(after.lastSeenMs);
  });

  it('a rename reaches the cached alert rows of that device', () => {
    const { store, views } = setup();
    store.upsertAlert(miraiAlert(CAMERA));
    expect(JSON.parse(views.alertsBody('nl', null, 500).raw.toString()).alerts[0].device_label).toBe('Hikvision camera');
    store.setName(CAMERA, 'Voordeur');
    expect(JSON.parse(views.alertsBody('nl', null, 500).raw.toString()).alerts[0].device_label).toBe('Voordeur');
  });

  it('a snoozed card wakes when its time comes, without any change in the store', () => {
    const { store, views } = setup();
    store.upsertAlert(miraiAlert(CAMERA));
    store.setAdvice(`infected-reset@${CAMERA}`, { state: 'snoozed', at: 1, until: Date.now() + 150 });
    expect(views.status(store.data.devices[CAMERA])).not.toBe('infected');
    return new Promise<void>((resolve) => setTimeout(() => {
      expect(views.status(store.data.devices[CAMERA])).toBe('infected');
      resolve();
    }, 250));
  });

  it('an alert recomputes the cards of its own device only', () => {
    const { store, views } = setup();
    views.devices('en');
    const before = views.cache.stats.misses;
    store.upsertAlert(miraiAlert(CAMERA));
    views.devices('en');
    views.devices('en');
    expect(views.cache.stats.misses - before).toBe(1);
  });
});
