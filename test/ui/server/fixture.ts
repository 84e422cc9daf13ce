// Test fixture: an app over a temporary store with a few devices (one with a hostile name) and a Mirai alert.
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { createApp } from '../../../ui/server/app.js';
import { hashPassword } from '../../../ui/server/auth/password.js';
import { RateLimiter } from '../../../ui/server/auth/rate-limit.js';
import { Sessions } from '../../../ui/server/auth/sessions.js';
import type { LiveStats } from '../../../ui/server/context.js';
import { Hub } from '../../../ui/server/hub.js';
import { Store } from '../../../ui/server/store/store.js';
import { Views } from '../../../ui/server/views.js';
import { loadAdviceBook } from '../../../rules/advice/book.js';
import type { Device } from '../../../sensor/inventory/types.js';
import type { Alert } from '../../../rules/engine/types.js';
import { scratchDir } from '../../helpers/scratch.js';

export const PASSWORD = 'correct horse battery staple';
export const HOSTILE = '<img src=x onerror=alert(1)>';
export const CAMERA = 'a4:14:37:11:22:33';
export const PLUG = '50:c7:bf:44:55:66';
export const HOSTILE_MAC = '02:00:00:aa:bb:cc';
export const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const T0 = 1_700_000_000_000_000;

export function device(mac: string, over: Partial<Device> = {}): Device {
  return {
    mac, ips: ['192.168.1.20'], ipv6: [], vendor: null, model: null, category: 'other', name: null, hostname: null,
    confidence: 0.5, evidence: [], first_seen: T0, last_seen: T0 + 60_000_000, private_mac: false, ...over,
  };
}

export function miraiAlert(mac = CAMERA): Alert {
  return {
    id: `mirai.scan.seq-equals-dst|${mac}`, rule: 'mirai.scan.seq-equals-dst', title: 'Device sends Mirai scanner probes',
    severity: 'critical', device: mac, first_seen: T0 + 10_000_000, last_seen: T0 + 20_000_000, count: 3,
    summary: '3 SYN probes to 23/tcp with seq = destination address', advice: 'infected-reset', group: { device: mac },
    evidence: [{ detail: 'SYN to 23/tcp of 41.2.3.4 with seq = destination address', ts: T0 + 10_000_000 }],
  };
}

export function makeApp(opts: { limiter?: RateLimiter } = {}) {
  const dataDir = scratchDir('waakhond-api-');
  const store = new Store({ dataDir, fsync: false });
  store.load();
  store.setPasswordHash(hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }));
  store.upsertDevice(device(CAMERA, {
    vendor: 'Hikvision', model: 'DS-2CD2032', category: 'camera', name: 'Hikvision DS-2CD2032 camera', confidence: 0.9,
    evidence: [{ source: 'oui', detail: 'OUI a4:14:37 Hikvision', vendor: 'Hikvision', weight: 0.4 }],
  }));
  store.upsertDevice(device(PLUG, { vendor: 'TP-Link', model: 'HS110', category: 'smart-plug', name: 'TP-Link HS110 smart plug' }));
  store.upsertDevice(device(HOSTILE_MAC, { hostname: HOSTILE, private_mac: true, category: 'phone' }));
  store.upsertAlert(miraiAlert());
  const book = loadAdviceBook();
  const hub = new Hub();
  const live: LiveStats = {
    started_ms: Date.now(), source: 'test', capture_state: 'running', capture_error: null, packets: 1234, bytes: 99999, dropped: 7,
    malformed: 1, flows_active: 3, tables_full: [], rules_loaded: 5, rule_errors: 0, rule_health: [], rule_stats: { events: 10 },
    inventory_devices: 3, inventory_evicted: 0, laps: 0,
  };
  const logs: string[] = [];
  const sessions = new Sessions();
  const app = createApp({
    store, views: new Views(store, book), book, sessions, limiter: opts.limiter ?? new RateLimiter(), hub,
    live: () => live, metricsToken: METRICS_TOKEN, webDir: null, log: (m) => logs.push(m), version: 'test',
  });
  return { app, store, hub, logs, dataDir, sessions };
}

export type TestApp = ReturnType<typeof makeApp>['app'];

/** Logs in and returns headers for later requests (cookie + CSRF token). */
export async function login(app: TestApp): Promise<{ cookie: string; csrf: string }> {
  const res = await app.request('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: PASSWORD }) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const { csrf } = (await res.json()) as { csrf: string };
  return { cookie, csrf };
}
