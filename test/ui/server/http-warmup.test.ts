// The warm-up before the port opens: real requests through the whole HTTP path on a private loopback port,
// answered (not refused), with no session and no listening socket left behind.
import { describe, expect, it } from 'vitest';
import { warmHttp } from '../../../ui/server/http-warmup.js';
import { CAMERA, makeApp } from './fixture.js';

describe('warmHttp', () => {
  it('runs the reads through the app with a session of its own, then ends it and closes its port', async () => {
    const { app, sessions, logs } = makeApp();
    const seen: { path: string; status: number; encoding: string | null }[] = [];
    const fetch = async (req: Request) => {
      const res = await app.fetch(req);
      seen.push({ path: new URL(req.url).pathname + new URL(req.url).search, status: res.status, encoding: res.headers.get('content-encoding') });
      return res;
    };
    const before = sessions.size;
    const servers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
    const listening = servers();
    const out = await warmHttp(fetch, sessions, ['/api/health', '/api/devices', '/api/alerts', `/api/devices/${CAMERA}`, '/metrics'], { rounds: 4 });
    expect(out.requests).toBe(20);
    expect(seen).toHaveLength(20);
    // Logged in as far as the app is concerned: every read answered 200, not 401.
    expect(seen.every((s) => s.status === 200), JSON.stringify(seen.filter((s) => s.status !== 200))).toBe(true);
    expect(sessions.size).toBe(before);
    // Its handle is released a moment after close() reports.
    await expect.poll(servers, { timeout: 2000 }).toBe(listening);
    expect(logs.filter((l) => /api:/.test(l))).toEqual([]);
  });

  it('stops at its time budget', async () => {
    const { app, sessions } = makeApp();
    const slow = async (req: Request) => { await new Promise((r) => setTimeout(r, 30)); return app.fetch(req); };
    const out = await warmHttp(slow, sessions, ['/api/health'], { rounds: 1000, budgetMs: 100 });
    expect(out.requests).toBeGreaterThan(0);
    expect(out.requests).toBeLessThan(20);
  });
});
