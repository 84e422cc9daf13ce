// The HTTP API in-process (app.request): sessions, CSRF, validation, headers, metrics, advice and hostile names.
import { describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { RateLimiter } from '../../../ui/server/auth/rate-limit.js';
import { startLoopDelay } from '../../../ui/server/loop-delay.js';
import { CAMERA, HOSTILE, HOSTILE_MAC, METRICS_TOKEN, PASSWORD, PLUG, device, login, makeApp, miraiAlert } from './fixture.js';

const json = { 'content-type': 'application/json' };

describe('auth', () => {
  it('health needs no session and says little', async () => {
    const { app } = makeApp();
    const res = await app.request('/api/health');
    expect(res.status).toBe(200);
    const body = await res.json() as Record<string, unknown>;
    expect(body.ok).toBe(true);
    // The watchdog's own state, no household data: capture state and reason, kernel drops, last packet time.
    expect(Object.keys(body).sort()).toEqual(['capture', 'capture_error', 'kernel_drops', 'last_packet', 'ok', 'saving', 'uptime_s', 'version']);
    expect(body).toMatchObject({ capture: 'running', capture_error: null, kernel_drops: 7, last_packet: null });
  });

  it('everything else needs a session', async () => {
    const { app } = makeApp();
    for (const p of ['/api/devices', `/api/devices/${CAMERA}`, '/api/alerts', '/api/events', '/metrics']) {
      expect((await app.request(p)).status, p).toBe(401);
    }
    const patch = await app.request(`/api/devices/${CAMERA}`, { method: 'PATCH', headers: json, body: '{"name":"x"}' });
    expect(patch.status).toBe(401);
  });

  it('a wrong password is refused, the right one sets an HttpOnly SameSite=Strict cookie', async () => {
    const { app, logs } = makeApp();
    const bad = await app.request('/api/login', { method: 'POST', headers: json, body: JSON.stringify({ password: 'nope' }) });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    const ok = await app.request('/api/login', { method: 'POST', headers: json, body: JSON.stringify({ password: PASSWORD }) });
    expect(ok.status).toBe(200);
    const cookie = ok.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^waakhond_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const s = await app.request('/api/session', { headers: { cookie: cookie.split(';')[0] } });
    expect(await s.json()).toMatchObject({ authenticated: true });
    // The log names both logins, never a password.
    expect(logs.filter((l) => l.startsWith('auth: '))).toEqual([expect.stringMatching(/^auth: failed login from /), expect.stringMatching(/^auth: login from /)]);
    expect(logs.join('\n')).not.toMatch(new RegExp(`nope|${PASSWORD}`));
  });

  it('logout ends the session', async () => {
    const { app } = makeApp();
    const { cookie, csrf } = await login(app);
    expect((await app.request('/api/devices', { headers: { cookie } })).status).toBe(200);
    const out = await app.request('/api/logout', { method: 'POST', headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.status).toBe(200);
    expect((await app.request('/api/devices', { headers: { cookie } })).status).toBe(401);
  });

  it('login attempts are rate limited', async () => {
    const { app } = makeApp({ limiter: new RateLimiter({ burst: 3, refillMs: 60_000 }) });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await app.request('/api/login', { method: 'POST', headers: json, body: JSON.stringify({ password: 'guess' + i }) });
      codes.push(r.status);
      if (r.status === 429) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(codes).toEqual([401, 401, 401, 429, 429]);
    // Even the right password waits.
    const r = await app.request('/api/login', { method: 'POST', headers: json, body: JSON.stringify({ password: PASSWORD }) });
    expect(r.status).toBe(429);
  });
});

describe('CSRF', () => {
  it('a state change without the token is refused', async () => {
    const { app, store } = makeApp();
    const { cookie } = await login(app);
    const r = await app.request(`/api/devices/${CAMERA}`, { method: 'PATCH', headers: { ...json, cookie }, body: '{"name":"Hal"}' });
    expect(r.status).toBe(403);
    expect(store.data.names[CAMERA]).toBeUndefined();
  });

  it('a wrong token or a foreign Origin is refused; the right token on the same origin passes', async () => {
    const { app, store } = makeApp();
    const { cookie, csrf } = await login(app);
    const wrong = await app.request(`/api/devices/${CAMERA}`, { method: 'PATCH', headers: { ...json, cookie, 'x-csrf-token': csrf.slice(1) + 'x' }, body: '{"name":"Hal"}' });
    expect(wrong.status).toBe(403);
    const foreign = await app.request(`http://192.168.1.2:8080/api/devices/${CAMERA}`, {
      method: 'PATCH', headers: { ...json, cookie, 'x-csrf-token': csrf, origin: 'http://evil.example', host: '192.168.1.2:8080' }, body: '{"name":"Hal"}',
    });
    expect(foreign.status).toBe(403);
    expect((await foreign.json() as { error: string }).error).toMatch(/Origin/);
    const site = await app.request(`/api/devices/${CAMERA}`, { method: 'PATCH', headers: { ...json, cookie, 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' }, body: '{"name":"Hal"}' });
    expect(site.status).toBe(403);
    expect(store.data.names[CAMERA]).toBeUndefined();
    const ok = await app.request(`http://192.168.1.2:8080/api/devices/${CAMERA}`, {
      method: 'PATCH', headers: { ...json, cookie, 'x-csrf-token': csrf, origin: 'http://192.168.1.2:8080', host: '192.168.1.2:8080' }, body: '{"name":"Hal"}',
    });
    expect(ok.status).toBe(200);
    expect(store.data.names[CAMERA]).toBe('Hal');
  });

  it('login from a foreign origin is refused (login CSRF)', async () => {
    const { app } = makeApp();
    const r = await app.request('http://10.0.0.1/api/login', { method: 'POST', headers: { ...json, origin: 'http://evil.example', host: '10.0.0.1' }, body: JSON.stringify({ password: PASSWORD }) });
    expect(r.status).toBe(403);
  });
});

describe('validation: bad input gets a 4xx with a reason, never a 500', () => {
  it('rejects bad MACs, bodies, types and sizes', async () => {
    const { app } = makeApp();
    const { cookie, csrf } = await login(app);
    const h = { ...json, cookie, 'x-csrf-token': csrf };
    const cases: [string, RequestInit, number][] = [
      ['/api/devices/not-a-mac', { headers: { cookie } }, 400],
      ['/api/devices/00:11:22:33:44:55', { headers: { cookie } }, 404],
      [`/api/devices/${CAMERA}`, { method: 'PATCH', headers: h, body: '{"name":' }, 400],
      [`/api/devices/${CAMERA}`, { method: 'PATCH', headers: h, body: '[]' }, 400],
      [`/api/devices/${CAMERA}`, { method: 'PATCH', headers: h, body: JSON.stringify({ name: 'x'.repeat(65) }) }, 400],
      [`/api/devices/${CAMERA}`, { method: 'PATCH', headers: h, body: JSON.stringify({ name: 'a\nb' }) }, 400],
      [`/api/devices/${CAMERA}`, { method: 'PATCH', headers: h, body: JSON.stringify({ name: 'ok', extra: 1 }) }, 400],
      [`/api/devices/${CAMERA}`, { method: 'PATCH', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'text/plain' }, body: '{"name":"x"}' }, 415],
      [`/api/devices/${CAMERA}`, { method: 'PATCH', headers: h, body: JSON.stringify({ name: 'x'.repeat(20_000) }) }, 413],
      [`/api/advice/update@${CAMERA}`, { method: 'POST', headers: h, body: JSON.stringify({ action: 'explode' }) }, 400],
      [`/api/advice/update@${CAMERA}`, { method: 'POST', headers: h, body: JSON.stringify({ action: 'snooze', days: 0 }) }, 400],
      [`/api/advice/nonsense@${CAMERA}`, { method: 'POST', headers: h, body: JSON.stringify({ action: 'done' }) }, 400],
      ['/api/advice/update@zz', { method: 'POST', headers: h, body: JSON.stringify({ action: 'done' }) }, 400],
      [`/api/advice/disable-upnp@${CAMERA}`, { method: 'POST', headers: h, body: JSON.stringify({ action: 'done' }) }, 404],
      ['/api/alerts?severity=apocalyptic', { headers: { cookie } }, 400],
      ['/api/alerts?limit=-1', { headers: { cookie } }, 400],
      ['/api/login', { method: 'POST', headers: json, body: JSON.stringify({ password: 42 }) }, 400],
      ['/api/nope', { headers: { cookie } }, 404],
    ];
    for (const [p, init, want] of cases) {
      const r = await app.request(p, init);
      expect(r.status, `${init.method ?? 'GET'} ${p} ${String(init.body ?? '').slice(0, 40)}`).toBe(want);
      const body = await r.json() as { error?: string };
      expect(typeof body.error, p).toBe('string');
      expect(body.error!.length).toBeGreaterThan(3);
    }
  });
});

describe('DNS rebinding', () => {
  it('answers IP literals and local names, refuses foreign Host names', async () => {
    const { app } = makeApp();
    for (const host of ['192.168.1.2:8080', '[fd00::1]:8080', 'localhost:8080', 'waakhond.lan', 'openwrt', 'pi.home.arpa', 'pi.local']) {
      expect((await app.request('http://x/api/health', { headers: { host } })).status, host).toBe(200);
    }
    for (const host of ['evil.example', 'evil.example:8080', 'rebind.attacker.com', '[fd00::1]evil']) {
      const r = await app.request('http://x/api/health', { headers: { host } });
      expect(r.status, host).toBe(421);
    }
  });
});

describe('headers', () => {
  it('sets a strict CSP without unsafe-inline and sends no CORS headers', async () => {
    const { app } = makeApp();
    for (const p of ['/', '/api/health']) {
      const r = await app.request(p, { headers: { origin: 'http://evil.example' } });
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
    }
    const pre = await app.request('/api/devices', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'PATCH' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-methods')).toBeNull();
  });
});

describe('devices, alerts and advice', () => {
  it('lists devices with status, the infected camera first', async () => {
    const { app } = makeApp();
    const { cookie } = await login(app);
    const r = await app.request('/api/devices?lang=nl', { headers: { cookie } });
    const { devices } = await r.json() as { devices: { mac: string; status: string; actions: { advice: string; title: string }[] }[] };
    expect(devices.map((d) => d.mac)).toContain(PLUG);
    expect(devices[0].mac).toBe(CAMERA);
    expect(devices[0].status).toBe('infected');
    expect(devices[0].actions[0].advice).toBe('infected-reset');
    expect(devices[0].actions[0].title).toMatch(/fabrieksinstellingen/);
    // No alert, no exposure, no end of support: the plug's "doe je updates" is a quiet tip, not a status.
    const plug = devices.find((d) => d.mac === PLUG)! as unknown as { status: string; actions: unknown[]; tips: { advice: string }[] };
    expect(plug.status).toBe('ok');
    expect(plug.actions).toEqual([]);
    expect(plug.tips.map((t) => t.advice)).toEqual(['update']);
  });

  it('a device page has evidence, alerts and advice with vendor update knowledge', async () => {
    const { app } = makeApp();
    const { cookie } = await login(app);
    const d = await (await app.request(`/api/devices/${CAMERA}?lang=en`, { headers: { cookie } })).json() as {
      evidence: { detail: string }[]; alerts: { rule: string; evidence: { detail: string }[] }[];
      advice: { advice: string; vendor: { vendor: string; auto_update: string; updates_url: string } | null }[];
    };
    expect(d.evidence[0].detail).toBe('OUI a4:14:37 Hikvision');
    expect(d.alerts[0].rule).toBe('mirai.scan.seq-equals-dst');
    expect(d.alerts[0].evidence[0].detail).toMatch(/seq = destination/);
    expect(d.advice.map((a) => a.advice)).toEqual(['infected-reset', 'update']);
    const upd = d.advice.find((a) => a.advice === 'update')!;
    expect(upd.vendor).toMatchObject({ vendor: 'Hikvision', auto_update: 'no' });
    expect(upd.vendor!.updates_url).toMatch(/^https:\/\/www\.hikvision\.com\//);
  });

  it('marking advice done changes the status and is stored; reopen undoes it', async () => {
    const { app, store } = makeApp();
    const { cookie, csrf } = await login(app);
    const h = { ...json, cookie, 'x-csrf-token': csrf };
    const r = await app.request(`/api/advice/${encodeURIComponent(`update@${PLUG}`)}`, { method: 'POST', headers: h, body: JSON.stringify({ action: 'done' }) });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ state: 'done' });
    expect(store.data.advice[`update@${PLUG}`].state).toBe('done');
    const dev = await (await app.request(`/api/devices/${PLUG}`, { headers: { cookie } })).json() as { status: string; tips: unknown[] };
    expect(dev.status).toBe('ok');
    expect(dev.tips).toEqual([]);
    const snooze = await app.request(`/api/advice/update@${PLUG}`, { method: 'POST', headers: h, body: JSON.stringify({ action: 'snooze', days: 3 }) });
    expect(await snooze.json()).toMatchObject({ state: 'snoozed' });
    await app.request(`/api/advice/update@${PLUG}`, { method: 'POST', headers: h, body: JSON.stringify({ action: 'reopen' }) });
    expect(store.data.advice[`update@${PLUG}`]).toBeUndefined();
  });

  it('a new alert after "done" reopens the card', async () => {
    const { app, store } = makeApp();
    const { cookie, csrf } = await login(app);
    await app.request(`/api/advice/infected-reset@${CAMERA}`, { method: 'POST', headers: { ...json, cookie, 'x-csrf-token': csrf }, body: '{"action":"done"}' });
    const a = store.data.alerts[Object.keys(store.data.alerts)[0]];
    store.upsertAlert({ ...a, last_seen: store.clock + 5_000_000, count: a.count + 1 });
    const d = await (await app.request(`/api/devices/${CAMERA}`, { headers: { cookie } })).json() as { advice: { advice: string; state: string }[] };
    expect(d.advice.find((c) => c.advice === 'infected-reset')!.state).toBe('open');
  });
});

describe('hostile names', () => {
  it('are returned as JSON strings, never as HTML, and can be stored as a user name', async () => {
    const { app, store } = makeApp();
    const { cookie, csrf } = await login(app);
    const r = await app.request(`/api/devices/${HOSTILE_MAC}`, { headers: { cookie } });
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const d = await r.json() as { hostname: string; label: string };
    expect(d.hostname).toBe(HOSTILE);
    expect(d.label).toBe(HOSTILE);
    const p = await app.request(`/api/devices/${PLUG}`, { method: 'PATCH', headers: { ...json, cookie, 'x-csrf-token': csrf }, body: JSON.stringify({ name: HOSTILE }) });
    expect(p.status).toBe(200);
    expect(p.headers.get('content-type')).toMatch(/^application\/json/);
    expect(store.data.names[PLUG]).toBe(HOSTILE);
    // The SPA fallback never echoes the path.
    const page = await app.request(`/${encodeURIComponent(HOSTILE)}`);
    expect(await page.text()).not.toContain('onerror');
  });
});

describe('cached list bodies', () => {
  it('go gzipped to a client that takes gzip, as they are to one that does not: the same JSON', async () => {
    const { app, store } = makeApp();
    for (let i = 0; i < 40; i++) {
      const mac = `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`;
      store.upsertDevice(device(mac, { hostname: `host-${i}` }));
      store.upsertAlert({ ...miraiAlert(mac), id: `a${i}|${mac}` });
    }
    const { cookie } = await login(app);
    let compressed = 0;
    for (const p of ['/api/devices?lang=nl', '/api/alerts', '/api/alerts?severity=critical&limit=5']) {
      const plain = await app.request(p, { headers: { cookie } });
      expect(plain.status, p).toBe(200);
      expect(plain.headers.get('content-encoding'), p).toBeNull();
      expect(plain.headers.get('vary'), p).toBe('Accept-Encoding');
      const text = await plain.text();
      const gz = await app.request(p, { headers: { cookie, 'accept-encoding': 'gzip, deflate, br' } });
      expect(gz.status, p).toBe(200);
      if (text.length >= 2048) {
        expect(gz.headers.get('content-encoding'), p).toBe('gzip');
        const bytes = Buffer.from(await gz.arrayBuffer());
        expect(bytes.length, p).toBeLessThan(text.length / 4);
        expect(gunzipSync(bytes).toString(), p).toBe(text);
        compressed++;
      } else {
        expect(await gz.text(), p).toBe(text);
      }
      // gzip;q=0 refuses it.
      const refused = await app.request(p, { headers: { cookie, 'accept-encoding': 'gzip;q=0, identity' } });
      expect(refused.headers.get('content-encoding'), p).toBeNull();
      expect(await refused.text(), p).toBe(text);
    }
    expect(compressed).toBeGreaterThanOrEqual(2);
    const list = JSON.parse(await (await app.request('/api/devices', { headers: { cookie } })).text()) as { devices: unknown[] };
    expect(list.devices).toHaveLength(43);
    const five = JSON.parse(await (await app.request('/api/alerts?severity=critical&limit=5', { headers: { cookie } })).text()) as { alerts: { severity: string }[] };
    expect(five.alerts).toHaveLength(5);
    expect(five.alerts.every((a) => a.severity === 'critical')).toBe(true);
  });

  it('a change is in the next list (the kept body is dropped)', async () => {
    const { app, store } = makeApp();
    const { cookie } = await login(app);
    const names = async () => ((await (await app.request('/api/devices', { headers: { cookie } })).json()) as { devices: { mac: string; label: string }[] }).devices.map((d) => d.label);
    expect(await names()).not.toContain('Voordeurbel');
    store.setName(PLUG, 'Voordeurbel');
    expect(await names()).toContain('Voordeurbel');
  });
});

describe('metrics', () => {
  it('needs the bearer token or a session, and speaks the Prometheus text format', async () => {
    const { app } = makeApp();
    expect((await app.request('/metrics', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const r = await app.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    expect(text).toMatch(/^waakhond_packets_total 1234$/m);
    expect(text).toMatch(/^waakhond_dropped_packets_total 7$/m);
    expect(text).toMatch(/^waakhond_devices\{status="infected"\} 1$/m);
    expect(text).toMatch(/^waakhond_alerts\{severity="critical"\} 1$/m);
    expect(text).toMatch(/^waakhond_rules_loaded 5$/m);
    // Every sample line is "name{labels} number".
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) .+|[a-z_]+(\{[^}]*\})? -?[0-9.e+]+)$/);
    const { cookie } = await login(app);
    expect((await app.request('/metrics', { headers: { cookie } })).status).toBe(200);
  });

  it('reports the event-loop delay once the daemon measures it', async () => {
    const { app } = makeApp();
    startLoopDelay();
    // Block the loop for ~60 ms: the max must show it.
    await new Promise((r) => setTimeout(r, 30));
    const t = performance.now();
    while (performance.now() - t < 60);
    await new Promise((r) => setTimeout(r, 30));
    const text = await (await app.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    const stat = (s: string) => Number(new RegExp(`^waakhond_event_loop_delay_seconds\\{stat="${s}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(stat('max')).toBeGreaterThanOrEqual(0.045);
    expect(stat('p99')).toBeLessThanOrEqual(stat('max'));
    expect(stat('p50')).toBeLessThanOrEqual(stat('p99'));
  });
});
