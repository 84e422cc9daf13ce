// GET /api/alerts: every stored alert, newest first, with evidence in words.
import { Hono } from 'hono';
import { z } from 'zod';
import { SEVERITIES } from '../../../rules/engine/types.js';
import { fail, langOf } from '../context.js';
import type { Env } from '../context.js';
import { sendBody } from '../body-cache.js';

const Query = z.object({
  severity: z.enum(SEVERITIES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export function alertRoutes(): Hono<Env> {
  const r = new Hono<Env>();
  r.get('/api/alerts', (c) => {
    const q = Query.safeParse(c.req.query());
    if (!q.success) return fail(c, 400, `${q.error.issues[0].path.join('.')}: ${q.error.issues[0].message}`);
    // Kept between changes, joined from each alert's cached JSON (views.ts alertsBody).
    return sendBody(c, c.var.deps.views.alertsBody(langOf(c), q.data.severity ?? null, q.data.limit ?? 500), 'application/json');
  });
  return r;
}
