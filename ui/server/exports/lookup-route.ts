// GET /api/lookup?remote=IP[:PORT]&at=TIME[&window=S][&proto=tcp]: the abuse-report lookup over the daemon's live
// connection log. The daemon mounts it behind its session auth: app.route('/', lookupRoutes({ connlog, describe })).
import { Hono } from 'hono';
import type { ConnLog } from '../../../sensor/connlog.js';
import { lookupJson, runQuery } from './lookup.js';
import type { DescribeDevice, Recorded } from './lookup.js';

export interface LookupRouteOptions {
  connlog: ConnLog;
  /** Names devices in the answer (inventory or store); optional. */
  describe?: DescribeDevice;
  /** Capture time span the daemon recorded (µs); default the log's oldest..newest connection. */
  recorded?: () => Recorded;
  /** Path to serve (default /api/lookup). */
  path?: string;
}

export function lookupRoutes(opts: LookupRouteOptions): Hono {
  const r = new Hono();
  r.get(opts.path ?? '/api/lookup', (c) => {
    const remote = c.req.query('remote');
    const at = c.req.query('at');
    if (!remote || !at) return c.json({ error: 'remote (IP[:PORT]) and at (ISO-8601 or Unix seconds) are required' }, 400);
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return c.json({ error: 'limit: 1..1000' }, 400);
    try {
      const { q, r: res } = runQuery(opts.connlog, { remote, at, window: c.req.query('window'), proto: c.req.query('proto'), limit });
      return c.json({ ...lookupJson(q, res, opts.describe, opts.recorded?.()), log: { ...opts.connlog.stats } });
    } catch (err) {
      return c.json({ error: (err as Error).message }, 400);
    }
  });
  return r;
}
