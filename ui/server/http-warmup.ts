// Before the dashboard's port opens, the dashboard's reads go a few dozen times through the whole HTTP path
// (node's parser, the node-server adaptor, Hono's router and middleware, the handlers, gzip) on a private
// loopback port of our own. V8 compiles code only once it has run: without this the first 50 requests
// after a start took 2-5 ms each instead of 0.3-0.5 ms, and a dashboard opened then waited 100-150 ms
// behind them (issue #14). The cost is a fraction of a second more before the port opens.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Sessions } from './auth/sessions.js';
import { SESSION_COOKIE } from './context.js';

export interface WarmupResult {
  requests: number;
  ms: number;
}

/**
 * `paths` GET `rounds` times each (a few at once, half asking for gzip), with a session made for it and
 * ended afterwards, on 127.0.0.1 only. Stops early after `budgetMs`. Never throws: a failed warm-up only
 * means a slower first request.
 */
export async function warmHttp(fetch: (req: Request) => Response | Promise<Response>, sessions: Sessions, paths: string[],
  opts: { rounds?: number; budgetMs?: number } = {}): Promise<WarmupResult> {
  const rounds = opts.rounds ?? 30;
  const budgetMs = opts.budgetMs ?? 400;
  const t0 = performance.now();
  const session = sessions.create();
  let requests = 0;
  let server: ReturnType<typeof serve> | null = null;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  try {
    const s = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const srv = serve({ fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(srv));
      srv.once('error', reject);
    });
    server = s;
    const port = (s.address() as AddressInfo).port;
    const get = (p: string, gzip: boolean) => new Promise<void>((resolve) => {
      const headers: Record<string, string> = { cookie: `${SESSION_COOKIE}=${session.id}`, host: `127.0.0.1:${port}` };
      if (gzip) headers['accept-encoding'] = 'gzip, deflate, br';
      const req = http.get({ host: '127.0.0.1', port, path: p, agent, headers, timeout: 2000 }, (res) => {
        res.resume();
        res.on('end', resolve);
        res.on('error', () => resolve());
      });
      req.on('timeout', () => { req.destroy(); resolve(); });
      req.on('error', () => resolve());
    });
    for (let r = 0; r < rounds && performance.now() - t0 < budgetMs; r++) {
      await Promise.all(paths.map((p) => get(p, r % 2 === 0)));
      requests += paths.length;
    }
  } catch {
    // No loopback port (odd sandboxes): the first requests just meet colder code.
  } finally {
    agent.destroy();
    sessions.destroy(session.id);
    if (server) {
      const srv = server as ReturnType<typeof serve> & { closeAllConnections?: () => void };
      srv.closeAllConnections?.();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  }
  return { requests, ms: performance.now() - t0 };
}
