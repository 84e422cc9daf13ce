// GET /api/health: is the daemon up and capturing; no session needed (for init scripts and monitors), so no details.
import { Hono } from 'hono';
import type { Env } from '../context.js';

export function healthRoutes(): Hono<Env> {
  const r = new Hono<Env>();
  r.get('/api/health', (c) => {
    const live = c.var.deps.live();
    return c.json({
      ok: live.capture_state !== 'failed',
      version: c.var.deps.version,
      capture: live.capture_state,
      uptime_s: Math.floor((Date.now() - live.started_ms) / 1000),
    });
  });
  return r;
}
