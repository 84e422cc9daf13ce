// GET /api/devices, GET /api/devices/:mac, PATCH /api/devices/:mac (the household's own name for a device).
import { Hono } from 'hono';
import { z } from 'zod';
import { fail, langOf } from '../context.js';
import type { Env } from '../context.js';
import { MAC_RE, readJson } from './body.js';
import { sendBody } from '../body-cache.js';

// A name is shown as text only; still, refuse control characters so logs and exports stay one line.
const NameBody = z.object({
  name: z.string().max(64).regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters').nullable(),
}).strict();

function macParam(raw: string): string | null {
  const mac = decodeURIComponent(raw).toLowerCase().replaceAll('-', ':');
  return MAC_RE.test(mac) ? mac : null;
}

export function deviceRoutes(onRename: (mac: string) => void): Hono<Env> {
  const r = new Hono<Env>();

  // A read: the body is kept between changes (views.ts devicesJson), not rebuilt for every dashboard.
  r.get('/api/devices', (c) => sendBody(c, c.var.deps.views.devicesBody(langOf(c)), 'application/json'));

  r.get('/api/devices/:mac', (c) => {
    const mac = macParam(c.req.param('mac'));
    if (!mac) return fail(c, 400, 'mac: expected aa:bb:cc:dd:ee:ff');
    const d = c.var.deps.views.detail(mac, langOf(c));
    if (!d) return fail(c, 404, 'no such device');
    return c.json(d);
  });

  r.patch('/api/devices/:mac', async (c) => {
    const raw = macParam(c.req.param('mac'));
    if (!raw) return fail(c, 400, 'mac: expected aa:bb:cc:dd:ee:ff');
    const deps = c.var.deps;
    // Any MAC the device was seen as names it; the name is kept under the device's key.
    const mac = deps.store.keyOf(raw);
    if (!deps.store.data.devices[mac]) return fail(c, 404, 'no such device');
    const body = await readJson(c, NameBody);
    if (!body.ok) return body.response;
    const name = body.data.name?.trim() || null;
    deps.store.setName(mac, name);
    onRename(mac);
    return c.json(deps.views.summary(deps.store.data.devices[mac], langOf(c)));
  });

  return r;
}
