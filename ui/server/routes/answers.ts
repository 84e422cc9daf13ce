// PUT/DELETE /api/devices/:mac/answer: the household says what a device is ("What is this?"), or takes it back.
import { Hono } from 'hono';
import { z } from 'zod';
import { CATEGORIES } from '../../../sensor/inventory/types.js';
import type { Context } from 'hono';
import { fail, langOf } from '../context.js';
import type { Env } from '../context.js';
import { MAC_RE, readJson } from './body.js';

/** Shown as text only (escaped on render); control characters refused so logs, MQTT and syslog stay one line. */
const Text = (max: number) => z.string().trim().max(max).regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'no control characters').nullable();

const AnswerBody = z.object({
  category: z.enum(CATEGORIES).nullable(),
  vendor: Text(64),
  name: Text(64),
}).strict().refine((b) => b.category !== null || !!b.vendor || !!b.name, { message: 'say at least the kind, the brand or a name' });

function macParam(raw: string): string | null {
  const mac = decodeURIComponent(raw).toLowerCase().replaceAll('-', ':');
  return MAC_RE.test(mac) ? mac : null;
}

/** The device a request names by any MAC it was seen as (kept under its key), or the error response. */
function deviceOf(c: Context<Env>): { mac: string } | { response: Response } {
  const raw = macParam(c.req.param('mac') ?? '');
  if (!raw) return { response: fail(c, 400, 'mac: expected aa:bb:cc:dd:ee:ff') };
  const mac = c.var.deps.store.keyOf(raw);
  if (!c.var.deps.store.data.devices[mac]) return { response: fail(c, 404, 'no such device') };
  return { mac };
}

export function answerRoutes(onChange: (mac: string) => void): Hono<Env> {
  const r = new Hono<Env>();

  r.put('/api/devices/:mac/answer', async (c) => {
    const found = deviceOf(c);
    if ('response' in found) return found.response;
    const { mac } = found;
    const { store, views } = c.var.deps;
    const d = store.data.devices[mac];
    const body = await readJson(c, AnswerBody);
    if (!body.ok) return body.response;
    const previous = store.data.answers[mac] ?? null;
    const ok = store.setAnswer(mac, {
      category: body.data.category, vendor: body.data.vendor || null, name: body.data.name || null, at: Date.now(),
      anchors: { client_id: d.client_id ?? null, hostname: d.hostname },
    });
    if (!ok) return fail(c, 409, 'too many answers stored: clear some first');
    onChange(mac);
    return c.json({ device: views.summary(store.data.devices[mac], langOf(c)), previous: previous && { category: previous.category, vendor: previous.vendor, name: previous.name } });
  });

  r.delete('/api/devices/:mac/answer', (c) => {
    const found = deviceOf(c);
    if ('response' in found) return found.response;
    const { mac } = found;
    const { store, views } = c.var.deps;
    const d = store.data.devices[mac];
    const previous = store.data.answers[mac] ?? null;
    store.setAnswer(mac, null);
    onChange(mac);
    return c.json({ device: views.summary(d, langOf(c)), previous: previous && { category: previous.category, vendor: previous.vendor, name: previous.name } });
  });

  return r;
}
