// GET /api/health: is the daemon up and capturing; no session needed (for init scripts, monitors and the dashboard's header badge).
import path from 'node:path';
import { Hono } from 'hono';
import type { Env } from '../context.js';
import { connlogSaveProblem } from '../exports/connlog-file.js';

export function healthRoutes(): Hono<Env> {
  const r = new Hono<Env>();
  r.get('/api/health', (c) => {
    const live = c.var.deps.live();
    const last = live.last_packet_us ?? null;
    const store = c.var.deps.store;
    // A full or failing disk: what is shown is the kind of problem and since when, not paths (no session here).
    const problem = store.saveProblem ?? connlogSaveProblem(path.dirname(store.file));
    return c.json({
      ok: live.capture_state !== 'failed',
      version: c.var.deps.version,
      // running | ended (a file or stdin stream ran out: no longer live) | failed (reason in capture_error)
      capture: live.capture_state,
      capture_error: live.capture_error,
      // Frames the kernel/libpcap dropped (0 when the source cannot know, e.g. a file).
      kernel_drops: live.dropped,
      last_packet: last === null ? null : new Date(Math.floor(last / 1000)).toISOString(),
      uptime_s: Math.floor((Date.now() - live.started_ms) / 1000),
      saving: problem
        ? { ok: false, problem: problem.reason, code: problem.code, since: new Date(problem.since).toISOString(), failures: problem.failures }
        : { ok: true, problem: null, code: null, since: null, failures: 0 },
    });
  });
  return r;
}
