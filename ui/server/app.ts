// The hono application: security headers, sessions, CSRF, body limits, and one route file per resource.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppDeps, Env } from './context.js';
import { fail } from './context.js';
import { csrf, hostCheck, loadSession, requireSession, securityHeaders } from './security.js';
import { healthRoutes } from './routes/health.js';
import { authRoutes } from './routes/auth.js';
import { deviceRoutes } from './routes/devices.js';
import { historyRoutes } from './routes/history.js';
import { answerRoutes } from './routes/answers.js';
import { alertRoutes } from './routes/alerts.js';
import { adviceRoutes } from './routes/advice.js';
import { eventRoutes } from './routes/events.js';
import { metricsRoutes } from './routes/metrics.js';
import { webRoutes } from './routes/web.js';

export interface AppHooks {
  /** A user changed something about a device (name, advice state): re-export and notify. */
  deviceTouched?: (mac: string) => void;
  /** More routes (e.g. the exports' GET /api/lookup), mounted behind the same session and CSRF checks. */
  extraRoutes?: Hono[];
}

const OPEN_API = new Set(['/api/health', '/api/login', '/api/session']);

export function createApp(deps: AppDeps, hooks: AppHooks = {}): Hono<Env> {
  const app = new Hono<Env>();
  const touched = (mac: string) => {
    deps.hub.emit({ type: 'device', mac });
    hooks.deviceTouched?.(mac);
  };
  app.use('*', securityHeaders);
  app.use('*', hostCheck(deps.allowedHosts ?? []));
  app.use('*', async (c, next) => { c.set('deps', deps); await next(); });
  app.use('*', loadSession);
  const limit = bodyLimit({ maxSize: 16 * 1024, onError: (c) => fail(c, 413, 'body too large (16 KiB max)') });
  // Reads, which no route reads a body of, skip it: asking for the body makes @hono/node-server build a
  // full fetch Request (with its AbortSignal), ~10% of the CPU of a dashboard load of GETs.
  app.use('/api/*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next)));
  app.use('/api/*', csrf);
  app.use('/api/*', async (c, next) => {
    if (OPEN_API.has(c.req.path)) return next();
    return requireSession(c, next);
  });
  app.route('/', healthRoutes());
  app.route('/', authRoutes());
  app.route('/', deviceRoutes(touched));
  app.route('/', historyRoutes());
  app.route('/', answerRoutes(touched));
  app.route('/', alertRoutes());
  app.route('/', adviceRoutes(touched));
  app.route('/', eventRoutes());
  app.route('/', metricsRoutes());
  for (const r of hooks.extraRoutes ?? []) app.route('/', r as unknown as Hono<Env>);
  app.route('/', webRoutes(deps.webDir));
  app.notFound((c) => fail(c, 404, 'not found'));
  app.onError((err, c) => {
    deps.log(`api: ${c.req.method} ${c.req.path}: ${err.message}`);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
