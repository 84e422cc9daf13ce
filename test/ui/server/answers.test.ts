// "What is this?": the household's answer over the API in-process (auth, CSRF, validation, evidence 'user' in nl/en,
// undo), in the store (restart, bound) and across MAC changes (a device re-keyed by client id or hostname keeps it).
import { describe, expect, it } from 'vitest';
import { Store } from '../../../ui/server/store/store.js';
import { Views, ASK_BELOW_CONFIDENCE } from '../../../ui/server/views.js';
import { adoptAnswer, storeGroup } from '../../../ui/server/store/identities.js';
import { loadAdviceBook } from '../../../rules/advice/book.js';
import type { DeviceDetail, DeviceSummary } from '../../../ui/server/views.js';
import { CAMERA, HOSTILE, PLUG, device, login, makeApp } from './fixture.js';

const json = { 'content-type': 'application/json' };
const UNSURE = '00:0c:29:aa:bb:01';
const T0 = 1_700_000_000_000_000;
const HOUR = 3_600_000_000;

function appWithUnsure() {
  const t = makeApp();
  // An OUI alone (0.35): below the threshold, so the page asks.
  t.store.upsertDevice(device(UNSURE, { confidence: 0.35, vendor: 'VMware', category: 'other', hostname: 'box-7', evidence: [{ source: 'oui', detail: 'OUI 00:0c:29 VMware', vendor: 'VMware', weight: 0.35 }] }));
  return t;
}

async function put(app: ReturnType<typeof makeApp>['app'], mac: string, body: unknown, h: Record<string, string>, lang = 'en') {
  return app.request(`/api/devices/${mac}/answer?lang=${lang}`, { method: 'PUT', headers: { ...json, ...h }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

describe('answer API', () => {
  it('changing an answer needs a session and the CSRF token', async () => {
    const { app, store } = appWithUnsure();
    expect((await put(app, UNSURE, { category: 'nas', vendor: null, name: null }, {})).status).toBe(401);
    const { cookie, csrf } = await login(app);
    expect((await put(app, UNSURE, { category: 'nas', vendor: null, name: null }, { cookie })).status).toBe(403);
    expect((await app.request(`/api/devices/${UNSURE}/answer`, { method: 'DELETE', headers: { cookie } })).status).toBe(403);
    expect(store.data.answers[UNSURE]).toBeUndefined();
    expect((await put(app, UNSURE, { category: 'nas', vendor: null, name: null }, { cookie, 'x-csrf-token': csrf })).status).toBe(200);
  });

  it('refuses a kind not in the list, long or control-character text, unknown fields and an empty answer', async () => {
    const { app, store } = appWithUnsure();
    const { cookie, csrf } = await login(app);
    const h = { cookie, 'x-csrf-token': csrf };
    const bad: [unknown, RegExp][] = [
      [{ category: 'toaster', vendor: null, name: null }, /^category/],
      [{ category: 'nas', vendor: 'x'.repeat(65), name: null }, /^vendor/],
      [{ category: 'nas', vendor: null, name: 'a\nb' }, /control/],
      [{ category: 'nas', vendor: null, name: 'a\u0085b' }, /control/],
      [{ category: 'nas', vendor: null, name: null, admin: true }, /./],
      [{ category: null, vendor: '  ', name: null }, /at least/],
      ['not json', /JSON/],
    ];
    for (const [body, reason] of bad) {
      const r = await put(app, UNSURE, body, h);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(reason);
    }
    expect((await put(app, '02:00:00:00:00:99', { category: 'nas', vendor: null, name: null }, h)).status).toBe(404);
    expect((await put(app, 'nonsense', { category: 'nas', vendor: null, name: null }, h)).status).toBe(400);
    expect(store.data.answers).toEqual({});
  });

  it('asks when unsure; the answer outranks inference, shows as evidence "user" in the household language, and can be undone', async () => {
    const { app, store } = appWithUnsure();
    const { cookie, csrf } = await login(app);
    const h = { cookie, 'x-csrf-token': csrf };
    const detail = async (lang: string) => (await (await app.request(`/api/devices/${UNSURE}?lang=${lang}`, { headers: { cookie } })).json()) as DeviceDetail;
    const before = await detail('en');
    expect(before.confidence).toBeLessThan(ASK_BELOW_CONFIDENCE);
    expect(before).toMatchObject({ ask: true, identity: 'inferred', answer: null, vendor: 'VMware', category: 'other' });
    // A sure camera is not asked about.
    const cam = (await (await app.request(`/api/devices/${CAMERA}`, { headers: { cookie } })).json()) as DeviceDetail;
    expect(cam.ask).toBe(false);

    const r = await put(app, UNSURE, { category: 'nas', vendor: 'Synology', name: `  ${HOSTILE}  ` }, h);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { device: DeviceSummary; previous: unknown };
    expect(body.previous).toBeNull();
    expect(body.device).toMatchObject({ ask: false, identity: 'user', category: 'nas', vendor: 'Synology', label: HOSTILE, confidence: 1 });
    expect(body.device.inferred).toEqual({ vendor: 'VMware', model: null, category: 'other', confidence: 0.35 });

    const en = await detail('en');
    expect(en.evidence[0]).toMatchObject({ source: 'user', detail: `you said so: nas, Synology, "${HOSTILE}"`, vendor: 'Synology', category: 'nas', weight: 1 });
    expect(en.evidence[1]).toMatchObject({ source: 'oui' });
    const nl = await detail('nl');
    expect(nl.evidence[0].detail).toBe(`dat heb je zelf aangegeven: nas, Synology, "${HOSTILE}"`);
    // The list and the advice cards use the same identity.
    const list = (await (await app.request('/api/devices', { headers: { cookie } })).json()) as { devices: DeviceSummary[] };
    expect(list.devices.find((d) => d.mac === UNSURE)).toMatchObject({ label: HOSTILE, category: 'nas', identity: 'user' });
    expect(store.data.answers[UNSURE]).toMatchObject({ category: 'nas', vendor: 'Synology', name: HOSTILE, anchors: { hostname: 'box-7', client_id: null } });
    expect(await (await app.request('/metrics', { headers: { cookie } })).text()).toMatch(/^waakhond_answers 1$/m);

    // Changing it returns the previous answer (the page's undo); DELETE clears it.
    const again = (await (await put(app, UNSURE, { category: 'computer', vendor: null, name: null }, h)).json()) as { previous: unknown };
    expect(again.previous).toEqual({ category: 'nas', vendor: 'Synology', name: HOSTILE });
    const del = await app.request(`/api/devices/${UNSURE}/answer`, { method: 'DELETE', headers: h });
    expect(del.status).toBe(200);
    const cleared = await detail('en');
    expect(cleared).toMatchObject({ identity: 'inferred', answer: null, ask: true, category: 'other', vendor: 'VMware' });
    expect(cleared.evidence.some((e) => e.source === 'user')).toBe(false);
  });

  it('a rename still wins for the label; the answer name shows when there is none', async () => {
    const { app } = makeApp();
    const { cookie, csrf } = await login(app);
    const h = { cookie, 'x-csrf-token': csrf };
    await put(app, PLUG, { category: 'smart-plug', vendor: null, name: 'Koffie' }, h);
    await app.request(`/api/devices/${PLUG}`, { method: 'PATCH', headers: { ...json, ...h }, body: '{"name":"Waterkoker"}' });
    const d = (await (await app.request(`/api/devices/${PLUG}`, { headers: { cookie } })).json()) as DeviceDetail;
    expect(d.label).toBe('Waterkoker');
  });
});

describe('answers in the store', () => {
  it('survive a restart (flushed atomically, read back)', async () => {
    const { app, store, dataDir } = appWithUnsure();
    const { cookie, csrf } = await login(app);
    expect((await put(app, UNSURE, { category: 'nas', vendor: 'Synology', name: 'Schijf' }, { cookie, 'x-csrf-token': csrf })).status).toBe(200);
    store.flush();
    const again = new Store({ dataDir, fsync: false });
    again.load();
    const views = new Views(again, loadAdviceBook());
    expect(views.detail(UNSURE, 'nl')).toMatchObject({ label: 'Schijf', category: 'nas', identity: 'user' });
  });

  it('an older file without the answers table loads, and a broken answers table is moved aside, not trusted', () => {
    const s = new Store({ dataDir: makeApp().dataDir, fsync: false });
    s.load();
    const old = { version: 1, devices: {}, alerts: {}, advice: {}, names: {}, settings: { password_hash: null } };
    s.adapter.writeSync(old as never);
    s.load();
    expect(s.data.answers).toEqual({});
    expect(s.data.aliases).toEqual({});
    s.adapter.writeSync({ ...old, answers: [] } as never);
    s.load();
    expect(s.adapter.movedAside).not.toBeNull();
  });

  it('is bounded: a full table refuses a new answer (counted) and keeps every stored one', () => {
    const { dataDir } = makeApp();
    const s = new Store({ dataDir, fsync: false, maxAnswers: 2 });
    s.load();
    const a = (name: string) => ({ category: null, vendor: null, name, at: 1, anchors: { client_id: null, hostname: null } });
    expect(s.setAnswer('02:00:00:00:00:01', a('a'))).toBe(true);
    expect(s.setAnswer('02:00:00:00:00:02', a('b'))).toBe(true);
    expect(s.setAnswer('02:00:00:00:00:03', a('c'))).toBe(false);
    expect(s.setAnswer('02:00:00:00:00:01', a('a2'))).toBe(true); // changing one is not a new one
    expect(Object.keys(s.data.answers)).toHaveLength(2);
    expect(s.stats.answers_refused).toBe(1);
  });
});

describe('an answer follows the device to a new MAC', () => {
  const answer = (anchors: { client_id: string | null; hostname: string | null }) => ({ category: 'camera' as const, vendor: 'Reolink', name: 'Achterdeur', at: 1, anchors });

  it('same DHCP client id, the old MAC quiet since: the answer moves to the new MAC', () => {
    const { store } = makeApp();
    const OLD = 'ec:71:db:00:00:01';
    const NEW = 'ec:71:db:00:00:02';
    store.upsertDevice(device(OLD, { first_seen: T0, last_seen: T0 + HOUR }));
    store.noteClientId(OLD, 'FF00000001000100AB');
    store.setAnswer(OLD, answer({ client_id: store.data.devices[OLD].client_id!, hostname: null }));
    // The camera's board was replaced: a new MAC, the same client id, a day later.
    storeGroup(store, [device(NEW, { first_seen: T0 + 24 * HOUR, last_seen: T0 + 25 * HOUR })]);
    expect(store.data.answers[NEW]).toBeUndefined(); // the client id is not known yet (DHCP sink notes it next)
    store.noteClientId(NEW, 'ff00000001000100ab');
    expect(adoptAnswer(store, NEW)).toBe(OLD);
    expect(store.data.answers[NEW]).toMatchObject({ name: 'Achterdeur', moved_from: OLD });
    expect(store.data.answers[OLD]).toBeUndefined();
  });

  it('same hostname, the old MAC quiet: moves; two devices with the same name online together: each keeps its own', () => {
    const { store } = makeApp();
    const A = 'ec:71:db:00:00:0a';
    const B = 'ec:71:db:00:00:0b';
    const C = 'ec:71:db:00:00:0c';
    store.upsertDevice(device(A, { hostname: 'IPCAM', first_seen: T0, last_seen: T0 + 10 * HOUR }));
    store.setAnswer(A, answer({ client_id: null, hostname: 'IPCAM' }));
    // B: a twin online while A is (first seen before A's last packet): not A.
    expect(storeGroup(store, [device(B, { hostname: 'ipcam', first_seen: T0 + HOUR, last_seen: T0 + 2 * HOUR })]).adopted).toBeNull();
    expect(store.data.answers[A]).toBeDefined();
    // C: appears after A went quiet with A's name: A re-keyed.
    expect(storeGroup(store, [device(C, { hostname: 'IPCAM', first_seen: T0 + 11 * HOUR, last_seen: T0 + 12 * HOUR })]).adopted).toBe(A);
    expect(store.data.answers[C]?.moved_from).toBe(A);
  });

  it('an answer given for a private MAC stays with the phone when a later-linked MAC is folded in', () => {
    const { store } = makeApp();
    const M1 = '9a:3f:12:00:aa:01';
    const M2 = 'd6:71:0c:5e:bb:02';
    // Stored apart before the inventory linked them; the household answered on the second.
    store.upsertDevice(device(M1, { private_mac: true, first_seen: T0, last_seen: T0 + HOUR }));
    store.upsertDevice(device(M2, { private_mac: true, first_seen: T0 + 2 * HOUR, last_seen: T0 + 3 * HOUR }));
    store.setAnswer(M2, answer({ client_id: null, hostname: null }));
    store.setName(M2, 'Telefoon van Anne');
    const r = storeGroup(store, [
      device(M1, { private_mac: true, first_seen: T0, last_seen: T0 + HOUR, same_device_as: [M2] }),
      device(M2, { private_mac: true, first_seen: T0 + 2 * HOUR, last_seen: T0 + 3 * HOUR, same_device_as: [M1] }),
    ]);
    expect(r).toMatchObject({ key: M1, folded: [M2] });
    expect(store.data.devices[M2]).toBeUndefined();
    expect(store.data.answers[M1]?.name).toBe('Achterdeur');
    expect(store.data.names[M1]).toBe('Telefoon van Anne');
    expect(store.keyOf(M2)).toBe(M1);
    expect(store.data.devices[M1].seen_as).toEqual([M1, M2]);
  });
});
