// POST /api/login, POST /api/logout, GET /api/session: password login into an HttpOnly SameSite=Strict cookie session.
import { Hono } from 'hono';
import { setCookie, deleteCookie, getCookie } from 'hono/cookie';
import { z } from 'zod';
import { verifyPassword } from '../auth/password.js';
import { SESSION_COOKIE, clientAddress, fail } from '../context.js';
import type { Env } from '../context.js';
import { readJson } from './body.js';

const LoginBody = z.object({ password: z.string().min(1).max(256) }).strict();

export function authRoutes(): Hono<Env> {
  const r = new Hono<Env>();

  r.post('/api/login', async (c) => {
    const deps = c.var.deps;
    const addr = clientAddress(c);
    const wait = deps.limiter.take(addr);
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      return fail(c, 429, `too many login attempts; try again in ${wait} s`);
    }
    const body = await readJson(c, LoginBody);
    if (!body.ok) return body.response;
    const hash = deps.store.data.settings.password_hash;
    if (!hash || !(await verifyPassword(body.data.password, hash))) {
      deps.limiter.failed(addr);
      deps.log(`auth: failed login from ${addr}`);
      return fail(c, 401, 'wrong password');
    }
    deps.log(`auth: login from ${addr}`);
    deps.limiter.reset(addr);
    deps.sessions.destroy(getCookie(c, SESSION_COOKIE));
    const s = deps.sessions.create();
    // No Secure flag: the dashboard is served over plain HTTP on the LAN (see README, security model).
    setCookie(c, SESSION_COOKIE, s.id, { httpOnly: true, sameSite: 'Strict', path: '/', maxAge: Math.floor(deps.sessions.maxAgeMs / 1000) });
    return c.json({ ok: true, csrf: s.csrf });
  });

  r.post('/api/logout', (c) => {
    c.var.deps.sessions.destroy(c.var.session?.id);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true });
  });

  r.get('/api/session', (c) => {
    const s = c.var.session;
    return c.json(s ? { authenticated: true, csrf: s.csrf } : { authenticated: false, csrf: null });
  });

  return r;
}
