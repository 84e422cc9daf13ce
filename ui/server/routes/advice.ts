// POST /api/advice/:id: mark one advice card done, snooze it for some days, or open it again.
import { Hono } from 'hono';
import { z } from 'zod';
import { fail, langOf } from '../context.js';
import type { Env } from '../context.js';
import { MAC_RE, readJson } from './body.js';

const Body = z.discriminatedUnion('action', [
  z.object({ action: z.literal('done') }).strict(),
  z.object({ action: z.literal('snooze'), days: z.number().int().min(1).max(90).default(7) }).strict(),
  z.object({ action: z.literal('reopen') }).strict(),
]);

export function adviceRoutes(onChange: (mac: string) => void): Hono<Env> {
  const r = new Hono<Env>();
  r.post('/api/advice/:id', async (c) => {
    const deps = c.var.deps;
    const id = decodeURIComponent(c.req.param('id'));
    const at = id.indexOf('@');
    const advice = id.slice(0, at);
    const mac = id.slice(at + 1);
    if (at < 1 || !MAC_RE.test(mac) || !deps.book.advice.has(advice)) return fail(c, 400, 'id: expected <advice>@<mac> with a known advice id');
    const device = deps.store.data.devices[mac];
    if (!device) return fail(c, 404, 'no such device');
    const card = deps.views.cards(device, langOf(c)).find((k) => k.key === id);
    if (!card) return fail(c, 404, 'this device has no such advice');
    const body = await readJson(c, Body);
    if (!body.ok) return body.response;
    const b = body.data;
    const now = Date.now();
    if (b.action === 'reopen') deps.store.setAdvice(id, null);
    else if (b.action === 'done') deps.store.setAdvice(id, { state: 'done', at: now, capture_at: deps.store.clock });
    else deps.store.setAdvice(id, { state: 'snoozed', at: now, until: now + (b.days ?? 7) * 86_400_000, capture_at: deps.store.clock });
    onChange(mac);
    return c.json(deps.views.cards(device, langOf(c)).find((k) => k.key === id));
  });
  return r;
}
