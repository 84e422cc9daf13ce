// The act API in-process (app.request): session and CSRF like every write, MACs and bodies validated, pause bounds,
// the service's refusals passed on with their reason, every request logged. nft is a recording fake here; the
// namespace test (quarantine-netns.test.ts) drives the real one.
import { describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { createApp } from '../../ui/server/app.js';
import { Views } from '../../ui/server/views.js';
import { Sessions } from '../../ui/server/auth/sessions.js';
import { RateLimiter } from '../../ui/server/auth/rate-limit.js';
import { Hub } from '../../ui/server/hub.js';
import { loadAdviceBook } from '../../rules/advice/book.js';
import { Act } from '../../ui/server/act/service.js';
import { actRoutes } from '../../ui/server/routes/act.js';
import { CAMERA, login, makeApp } from '../ui/server/fixture.js';

async function setup(nft = { ok: true }) {
  const base = makeApp();
  const scripts: string[] = [];
  const act = new Act({
    nft: async (s) => { scripts.push(s); return nft.ok ? { ok: true } : { ok: false, error: 'Error: Operation not permitted' }; },
    detect: async () => ({ capable: true, reasons: [], codes: [], lan: ['br-lan'], router_v4: '192.168.1.1', lan_nets: [] }),
    portalPort: 8089, onlyKnown: false, log: (m) => base.logs.push(m),
    load: () => base.store.data.act, save: (s) => base.store.setAct(s),
    addresses: () => ({ v4: [], v6: [] }), knownDevices: () => [],
  });
  await act.start();
  const book = loadAdviceBook();
  const touched: string[] = [];
  const app = createApp({
    store: base.store, views: new Views(base.store, book), book, sessions: new Sessions(), limiter: new RateLimiter(), hub: new Hub(),
    live: () => { throw new Error('not used'); }, metricsToken: null, webDir: null, log: (m) => base.logs.push(m), version: 'test',
  }, { extraRoutes: [actRoutes(act, (m) => touched.push(m)) as unknown as Hono] });
  const auth = await login(app);
  const h = { cookie: auth.cookie, 'x-csrf-token': auth.csrf };
  return { app, act, scripts, touched, logs: base.logs, h };
}

describe('act API', () => {
  it('needs a session and the CSRF token', async () => {
    const { app, h } = await setup();
    expect((await app.request(`/api/devices/${CAMERA}/quarantine`, { method: 'POST' })).status).toBe(401);
    expect((await app.request(`/api/devices/${CAMERA}/quarantine`, { method: 'POST', headers: { cookie: h.cookie } })).status).toBe(403);
    expect((await app.request('/api/act')).status).toBe(401);
  });

  it('quarantines and lifts, says so in GET /api/act, notifies and logs who asked', async () => {
    const { app, h, touched, logs } = await setup();
    const q = await app.request(`/api/devices/${CAMERA.toUpperCase().replaceAll(':', '-')}/quarantine`, { method: 'POST', headers: h });
    expect(q.status).toBe(200);
    expect(await q.json()).toMatchObject({ mac: CAMERA, quarantined: { by: 'household' }, paused_until: null });
    const state = (await (await app.request('/api/act', { headers: h })).json()) as { capability: { capable: boolean }; devices: { mac: string }[] };
    expect(state.capability.capable).toBe(true);
    expect(state.devices.map((d) => d.mac)).toEqual([CAMERA]);
    expect((await app.request(`/api/devices/${CAMERA}/quarantine`, { method: 'DELETE', headers: h })).status).toBe(200);
    expect(touched).toEqual([CAMERA, CAMERA]);
    expect(logs).toContain(`act: POST /api/devices/${CAMERA.toUpperCase().replaceAll(':', '-')}/quarantine from local: done`);
    expect((await app.request(`/api/devices/${CAMERA}/quarantine`, { method: 'DELETE', headers: h })).status).toBe(409);
  });

  it('validates MACs, devices and pause bodies', async () => {
    const { app, h, scripts } = await setup();
    const n = scripts.length;
    const json = { ...h, 'content-type': 'application/json' };
    expect((await app.request('/api/devices/nope/quarantine', { method: 'POST', headers: h })).status).toBe(400);
    expect((await app.request('/api/devices/02:00:00:00:00:99/quarantine', { method: 'POST', headers: h })).status).toBe(404);
    expect((await app.request(`/api/devices/${CAMERA}/pause`, { method: 'POST', headers: json, body: JSON.stringify({ until_ms: Date.now() - 1 }) })).status).toBe(400);
    expect((await app.request(`/api/devices/${CAMERA}/pause`, { method: 'POST', headers: json, body: JSON.stringify({ until_ms: Date.now() + 8 * 86400_000 }) })).status).toBe(400);
    expect((await app.request(`/api/devices/${CAMERA}/pause`, { method: 'POST', headers: json, body: JSON.stringify({ until_ms: 'soon' }) })).status).toBe(400);
    expect(scripts.length).toBe(n);
    const p = await app.request(`/api/devices/${CAMERA}/pause`, { method: 'POST', headers: json, body: JSON.stringify({ until_ms: Date.now() + 3600_000 }) });
    expect(p.status).toBe(200);
    expect(scripts.at(-1)).toMatch(new RegExp(`${CAMERA} timeout 3[56]\\d\\ds`));
  });

  it('passes on the firewall\'s refusal with its reason (503), nothing changed', async () => {
    const nft = { ok: true };
    const { app, h, act } = await setup(nft);
    nft.ok = false;
    const r = await app.request(`/api/devices/${CAMERA}/quarantine`, { method: 'POST', headers: h });
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: string }).error).toBe('the firewall refused the change, nothing was changed: Error: Operation not permitted');
    expect(act.device(CAMERA).quarantined).toBeNull();
  });
});
