// GET /api/act (can we act here, and why not), POST/DELETE /api/devices/:mac/quarantine and /pause, POST .../approve.
// Mounted behind the session and CSRF checks like every other write; every change is logged by the act service.
import { Hono } from 'hono';
import type { Context } from 'hono';
import { z } from 'zod';
import { clientAddress, fail } from '../context.js';
import type { Env } from '../context.js';
import type { Act, ActResult } from '../act/service.js';
import { MAC_RE, readJson } from './body.js';

/** A pause ends within a week: longer is a block, and a block is what quarantine is for. */
const MAX_PAUSE_MS = 7 * 24 * 3600_000;
const PauseBody = z.object({ until_ms: z.number().int().positive() }).strict();
const QuarantineBody = z.object({ reason: z.string().max(200).regex(/^[^\u0000-\u001f\u007f]*$/).nullable().optional() }).strict();

function deviceOf(c: Context<Env>): { mac: string } | { response: Response } {
  const raw = decodeURIComponent(c.req.param('mac') ?? '').toLowerCase().replaceAll('-', ':');
  if (!MAC_RE.test(raw)) return { response: fail(c, 400, 'mac: expected aa:bb:cc:dd:ee:ff') };
  const mac = c.var.deps.store.keyOf(raw);
  if (!c.var.deps.store.data.devices[mac]) return { response: fail(c, 404, 'no such device') };
  return { mac };
}

export function actRoutes(act: Act, touched: (mac: string) => void): Hono<Env> {
  const r = new Hono<Env>();
  // Who asked, next to the act service's own line (what changed): the household's dashboard or a script with a session.
  const reply = (c: Context<Env>, res: ActResult, who: string) => {
    c.var.deps.log(`act: ${c.req.method} ${c.req.path} from ${who}: ${res.ok ? 'done' : `refused (${res.error})`}`);
    if (!res.ok) return fail(c, res.status, res.error);
    touched(res.device.mac);
    return c.json(res.device);
  };

  r.get('/api/act', (c) => c.json({ capability: act.capability(), devices: act.all(), log: act.log() }));
  r.get('/api/devices/:mac/act', (c) => {
    const d = deviceOf(c);
    if ('response' in d) return d.response;
    return c.json({ capability: act.capability(), device: act.device(d.mac) });
  });

  r.post('/api/devices/:mac/quarantine', async (c) => {
    const d = deviceOf(c);
    if ('response' in d) return d.response;
    let reason: string | null = null;
    if (c.req.header('content-length') !== '0' && c.req.header('content-type')) {
      const body = await readJson(c, QuarantineBody);
      if (!body.ok) return body.response;
      reason = body.data.reason ?? null;
    }
    return reply(c, await act.quarantine(d.mac, 'household', reason), clientAddress(c));
  });
  r.delete('/api/devices/:mac/quarantine', async (c) => {
    const d = deviceOf(c);
    if ('response' in d) return d.response;
    return reply(c, await act.release(d.mac, 'household'), clientAddress(c));
  });

  r.post('/api/devices/:mac/pause', async (c) => {
    const d = deviceOf(c);
    if ('response' in d) return d.response;
    const body = await readJson(c, PauseBody);
    if (!body.ok) return body.response;
    const until = body.data.until_ms;
    if (until <= Date.now()) return fail(c, 400, 'until_ms: must be in the future');
    if (until > Date.now() + MAX_PAUSE_MS) return fail(c, 400, 'until_ms: a pause lasts at most 7 days (use quarantine to block)');
    return reply(c, await act.pause(d.mac, until, 'household'), clientAddress(c));
  });
  r.delete('/api/devices/:mac/pause', async (c) => {
    const d = deviceOf(c);
    if ('response' in d) return d.response;
    return reply(c, await act.resume(d.mac, 'household'), clientAddress(c));
  });

  r.post('/api/devices/:mac/approve', async (c) => {
    const d = deviceOf(c);
    if ('response' in d) return d.response;
    return reply(c, await act.approve(d.mac, 'household'), clientAddress(c));
  });

  return r;
}
