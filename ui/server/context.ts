// What every route needs: the store, the views, the session table, the login limiter, the change hub and the metrics source.
import type { Context } from 'hono';
import type { AdviceBook, Lang } from '../../rules/advice/book.js';
import type { RateLimiter } from './auth/rate-limit.js';
import type { Session, Sessions } from './auth/sessions.js';
import type { Hub } from './hub.js';
import type { Store } from './store/store.js';
import type { Views } from './views.js';

/** Counters the daemon keeps and /metrics and /api/health show. */
export interface LiveStats {
  started_ms: number;
  source: string;
  /** running | ended (a file or stream ran out) | failed (capture_error says why) */
  capture_state: string;
  capture_error: string | null;
  packets: number;
  bytes: number;
  dropped: number;
  malformed: number;
  flows_active: number;
  tables_full: string[];
  rules_loaded: number;
  rule_errors: number;
  rule_health: string[];
  rule_stats: Record<string, number>;
  inventory_devices: number;
  inventory_evicted: number;
  laps: number;
  /** Capture time of the last packet (µs), null before the first. */
  last_packet_us?: number | null;
}

export interface AppDeps {
  store: Store;
  views: Views;
  book: AdviceBook;
  sessions: Sessions;
  limiter: RateLimiter;
  hub: Hub;
  live: () => LiveStats;
  /** Bearer token for /metrics (Prometheus cannot log in); null = session only. */
  metricsToken: string | null;
  /** Built dashboard (index.html + assets), or null to serve a notice. */
  webDir: string | null;
  log: (msg: string) => void;
  version: string;
  /** Host names served besides IP literals and local names (DNS rebinding defence). */
  allowedHosts?: string[];
}

export type Env = { Variables: { session: Session | null; deps: AppDeps } };

export const SESSION_COOKIE = 'waakhond_session';
export const CSRF_HEADER = 'x-csrf-token';

export function langOf(c: Context): Lang {
  return c.req.query('lang') === 'nl' ? 'nl' : 'en';
}

/** The peer address (node-server puts the socket in env.incoming); "local" in in-process tests. */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'local';
}

/** A 4xx with a reason a person (or a test) can read. */
export function fail(c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503, reason: string) {
  return c.json({ error: reason }, status);
}
