// GET /api/health: is the daemon up and capturing; no session needed (for init scripts and monitors), so no details.
import path from 'node:path';
import { Hono } from 'hono';
import type { Env } from '../context.js';
import { connlogSaveProblem } from '../exports/connlog-file.js';

export function healthRoutes(): Hono<Env> {
  const r = new Hono<Env>();
  r.get('/api/health', (c) => {
    const live = c.var.deps.live();
    const store = c.var.deps.store;
    // A full or failing disk: what is shown is the kind of problem and since when, not paths (no session here).
    const problem = store.saveProblem ?? connlogSaveProblem(path.dirname(store.file));
    return c.json({
      ok: live.capture_state !== 'failed',
      version: c.var.deps.version,
      capture: live.capture_state,
      uptime_s: Math.floor((Date.now() - live.started_ms) / 1000),
      saving: problem
        ? { ok: false, problem: problem.reason, code: problem.code, since: new Date(problem.since).toISOString(), failures: problem.failures }
        : { ok: true, problem: null, code: null, since: null, failures: 0 },
    });
  });
  return r;
}
