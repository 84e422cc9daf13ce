// Stored records with bad fields (a hand edit, a bug in an older version, a bit flip): each is set aside with its
// reason into waakhond.json.rejected-*.json beside the store, the rest loads, and no page answers 500.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../ui/server/app.js';
import { hashPassword } from '../../ui/server/auth/password.js';
import { RateLimiter } from '../../ui/server/auth/rate-limit.js';
import { Sessions } from '../../ui/server/auth/sessions.js';
import type { LiveStats } from '../../ui/server/context.js';
import { Hub } from '../../ui/server/hub.js';
import { Store, STORE_FILE, emptyStore } from '../../ui/server/store/store.js';
import { Views } from '../../ui/server/views.js';
import { loadAdviceBook } from '../../rules/advice/book.js';
import { CAMERA, PASSWORD, PLUG, device, login, miraiAlert } from '../ui/server/fixture.js';
import { tmp } from './durable-helpers.js';

const BAD_EVIDENCE = '02:00:00:00:00:01';
const BAD_CATEGORY = '02:00:00:00:00:02';
const WRONG_KEY = '02:00:00:00:00:03';
const NOT_OBJECT = '02:00:00:00:00:04';
const BAD_TRAFFIC = '02:00:00:00:00:05';

function writeStore(dir: string): void {
  const s = emptyStore() as unknown as Record<string, Record<string, unknown>>;
  s.settings = { password_hash: hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }) };
  s.devices[CAMERA] = { ...device(CAMERA, { category: 'camera', vendor: 'Hikvision' }), traffic: [] };
  s.devices[PLUG] = { ...device(PLUG, { category: 'smart-plug' }), traffic: [[1_700_000_000_000_000, 1, 2, 3, 4]] };
  s.devices[BAD_EVIDENCE] = { ...device(BAD_EVIDENCE), evidence: null, traffic: [] };
  s.devices[BAD_CATEGORY] = { ...device(BAD_CATEGORY), category: 'toaster', traffic: [] };
  s.devices[WRONG_KEY] = { ...device('02:00:00:00:00:99'), traffic: [] };
  s.devices[NOT_OBJECT] = 'a string';
  // Bad points are dropped, the device is kept (traffic is the least precious data).
  s.devices[BAD_TRAFFIC] = { ...device(BAD_TRAFFIC), traffic: [[1, 2, 3], null, [1_700_000_000_000_000, 5, 6, 7, 8], 'x'] };
  const good = { ...miraiAlert(CAMERA), stored_at: 1 };
  s.alerts[good.id] = good;
  s.alerts['bad-evidence'] = { ...good, id: 'bad-evidence', evidence: null };
  const { severity: _drop, ...noSeverity } = { ...good, id: 'no-severity' };
  s.alerts['no-severity'] = noSeverity;
  s.advice[`infected-reset@${CAMERA}`] = { state: 'done', at: 1 };
  s.advice[`update@${PLUG}`] = { state: 'maybe', at: 1 };
  s.names[CAMERA] = 'Front door';
  s.names[PLUG] = 42;
  s.answers[PLUG] = { category: 'energy', vendor: null, name: null, at: 1, anchors: { client_id: null, hostname: null } };
  s.answers[CAMERA] = { category: 'camera' };
  s.aliases['02:00:00:00:00:aa'] = null;
  writeFileSync(path.join(dir, STORE_FILE), JSON.stringify(s));
}

function appOver(store: Store) {
  const book = loadAdviceBook();
  const live: LiveStats = {
    started_ms: Date.now(), source: 'test', capture_state: 'running', capture_error: null, packets: 0, bytes: 0, dropped: 0, malformed: 0,
    flows_active: 0, tables_full: [], rules_loaded: 0, rule_errors: 0, rule_health: [], rule_stats: {}, inventory_devices: 0, inventory_evicted: 0, laps: 0,
  };
  return createApp({
    store, views: new Views(store, book), book, sessions: new Sessions(), limiter: new RateLimiter(), hub: new Hub(),
    live: () => live, metricsToken: null, webDir: null, log: () => {}, version: 'test',
  });
}

describe('store records checked one by one on load', () => {
  it('sets bad records aside with their reasons, loads the rest, and every page answers 200', async () => {
    const dir = tmp();
    writeStore(dir);
    const logs: string[] = [];
    const store = new Store({ dataDir: dir, log: (m) => logs.push(m), fsync: false });
    store.load();

    expect(Object.keys(store.data.devices).sort()).toEqual([PLUG, BAD_TRAFFIC, CAMERA].sort());
    expect(store.data.devices[BAD_TRAFFIC].traffic).toEqual([[1_700_000_000_000_000, 5, 6, 7, 8]]);
    expect(Object.keys(store.data.alerts)).toEqual([miraiAlert(CAMERA).id]);
    expect(Object.keys(store.data.advice)).toEqual([`infected-reset@${CAMERA}`]);
    expect(store.data.names).toEqual({ [CAMERA]: 'Front door' });
    expect(Object.keys(store.data.answers)).toEqual([PLUG]);
    expect(store.data.aliases).toEqual({});
    expect(store.stats.rejected_records).toBe(10);

    const files = readdirSync(dir).filter((f) => f.startsWith(`${STORE_FILE}.rejected-`));
    expect(files).toHaveLength(1);
    const aside = JSON.parse(readFileSync(path.join(dir, files[0]), 'utf8')) as { records: { table: string; key: string; reason: string; record: unknown }[] };
    const why = Object.fromEntries(aside.records.map((r) => [`${r.table}/${r.key}`, r.reason]));
    expect(why[`devices/${BAD_EVIDENCE}`]).toMatch(/^evidence: Expected array, received null/);
    expect(why[`devices/${BAD_CATEGORY}`]).toMatch(/^category: Invalid enum value/);
    expect(why[`devices/${WRONG_KEY}`]).toMatch(/mac: "02:00:00:00:00:99" is not its key/);
    expect(why[`devices/${NOT_OBJECT}`]).toMatch(/Expected object, received string/);
    expect(why['alerts/bad-evidence']).toMatch(/^evidence:/);
    expect(why['alerts/no-severity']).toMatch(/^severity: Required/);
    expect(why[`advice/update@${PLUG}`]).toMatch(/^state:/);
    expect(why[`names/${PLUG}`]).toMatch(/not a string/);
    expect(why[`answers/${CAMERA}`]).toMatch(/^(vendor|name|at|anchors)/);
    expect(why['aliases/02:00:00:00:00:aa']).toMatch(/not a string \(null\)/);
    // The record itself is kept, as it was, for a person to look at.
    expect(aside.records.find((r) => r.key === BAD_EVIDENCE)!.record).toMatchObject({ mac: BAD_EVIDENCE, evidence: null });
    expect(logs.join('\n')).toMatch(new RegExp(`devices/${BAD_EVIDENCE} set aside: evidence`));
    expect(logs.join('\n')).toMatch(/10 stored record\(s\) did not fit and were moved to .*rejected-.*; the rest loaded/);

    const app = appOver(store);
    const { cookie } = await login(app);
    const get = (p: string) => app.request(p, { headers: { cookie } });
    for (const p of ['/api/devices', '/api/alerts', '/metrics', '/api/health', ...[CAMERA, PLUG, BAD_TRAFFIC].map((m) => `/api/devices/${m}`)]) {
      expect((await get(p)).status, p).toBe(200);
    }
    for (const m of [BAD_EVIDENCE, BAD_CATEGORY, WRONG_KEY, NOT_OBJECT]) expect((await get(`/api/devices/${m}`)).status, m).toBe(404);

    // Saved without them: the next start sets nothing aside again.
    store.flush();
    const again = new Store({ dataDir: dir, fsync: false });
    again.load();
    expect(again.stats.rejected_records).toBe(0);
    expect(readdirSync(dir).filter((f) => f.startsWith(`${STORE_FILE}.rejected-`))).toHaveLength(1);
    expect(Object.keys(again.data.devices)).toHaveLength(3);
  });
});
