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
      for (const lang of ['en', 'nl'] as const) expect(views.devices(lang)).toEqual(fresh().devices(lang));
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
