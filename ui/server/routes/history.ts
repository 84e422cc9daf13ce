// GET /api/devices/:mac/history: the device page's history (online periods, timeline, destinations, 24 h traffic).
import { Hono } from 'hono';
import { fail, langOf } from '../context.js';
import type { Env } from '../context.js';
import { MAC_RE } from './body.js';

export function historyRoutes(): Hono<Env> {
  const r = new Hono<Env>();
  r.get('/api/devices/:mac/history', (c) => {
    const mac = decodeURIComponent(c.req.param('mac')).toLowerCase().replaceAll('-', ':');
    if (!MAC_RE.test(mac)) return fail(c, 400, 'mac: expected aa:bb:cc:dd:ee:ff');
    const h = c.var.deps.views.history(mac, langOf(c));
    if (!h) return fail(c, 404, 'no such device');
    return c.json(h);
  });
  return r;
}
