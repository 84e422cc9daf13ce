// Security middleware: strict headers with a CSP without unsafe-inline, session lookup, login-required and CSRF checks.
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { sameToken } from './auth/sessions.js';
import { CSRF_HEADER, SESSION_COOKIE, fail } from './context.js';
import type { Env } from './context.js';

// Scripts and styles come only from our own files (vite emits no inline script); connect-src 'self'
// covers fetch and EventSource; frame-ancestors 'none' stops clickjacking.
export const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "manifest-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

export const securityHeaders: MiddlewareHandler<Env> = async (c, next) => {
  await next();
  const h = c.res.headers;
  h.set('Content-Security-Policy', CSP);
  h.set('X-Content-Type-Options', 'nosniff');
  h.set('X-Frame-Options', 'DENY');
  h.set('Referrer-Policy', 'no-referrer');
  h.set('Cross-Origin-Opener-Policy', 'same-origin');
  h.set('Cross-Origin-Resource-Policy', 'same-origin');
  h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), usb=(), payment=()');
  if (c.req.path.startsWith('/api/') || c.req.path === '/metrics') h.set('Cache-Control', 'no-store');
  // No CORS: we never send Access-Control-Allow-*; make sure nothing upstream did.
  h.delete('Access-Control-Allow-Origin');
};

export const loadSession: MiddlewareHandler<Env> = async (c, next) => {
  c.set('session', c.var.deps.sessions.get(getCookie(c, SESSION_COOKIE)));
  await next();
};

export const requireSession: MiddlewareHandler<Env> = async (c, next) => {
  if (!c.var.session) return fail(c, 401, 'login required');
  await next();
};

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF: a state change must carry the session's token in X-CSRF-Token (a cross-site page cannot set a
 * custom header without a CORS preflight, which we never grant) and, if the browser sends Origin or
 * Sec-Fetch-Site, they must say same origin. SameSite=Strict cookies are the third layer.
 */
export const csrf: MiddlewareHandler<Env> = async (c, next) => {
  if (SAFE.has(c.req.method)) return next();
  const why = crossSite(c.req.header('origin'), c.req.header('host'), c.req.header('sec-fetch-site'));
  if (why) return fail(c, 403, why);
  const s = c.var.session;
  if (s && !sameToken(c.req.header(CSRF_HEADER), s.csrf)) return fail(c, 403, 'missing or wrong CSRF token');
  await next();
};

export function crossSite(origin: string | undefined, host: string | undefined, fetchSite: string | undefined): string | null {
  if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') return `cross-site request refused (Sec-Fetch-Site: ${fetchSite})`;
  if (origin !== undefined) {
    if (origin === 'null') return 'cross-site request refused (Origin: null)';
    let oh: string;
    try { oh = new URL(origin).host; } catch { return 'cross-site request refused (bad Origin)'; }
    if (!host || oh !== host) return 'cross-site request refused (Origin does not match Host)';
  }
  return null;
}

/**
 * DNS rebinding defence: a page on evil.example that re-points its name at the sensor's LAN address
 * reaches us with "Host: evil.example". Only IP literals, localhost, local names (.lan, .local,
 * .home.arpa, .internal, a bare host name) and names listed in config allowed_hosts are served.
 */
export function hostAllowed(hostHeader: string | undefined, extra: readonly string[]): boolean {
  if (!hostHeader) return true; // HTTP/1.0 clients and in-process tests send none; nothing to rebind
  let host = hostHeader.toLowerCase();
  if (host.startsWith('[')) return /^\[[0-9a-f:.]+\](:\d+)?$/.test(host); // IPv6 literal
  host = host.replace(/:\d+$/, '');
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return true;
  if (host === 'localhost' || !host.includes('.')) return true;
  if (/\.(lan|local|home\.arpa|internal|localdomain|home)$/.test(host)) return true;
  return extra.some((h) => h.toLowerCase() === host);
}

export function hostCheck(extra: readonly string[]): MiddlewareHandler<Env> {
  return async (c, next) => {
    if (!hostAllowed(c.req.header('host'), extra)) {
      return c.json({ error: 'unknown Host name (add it to allowed_hosts in the config)' }, 421);
    }
    await next();
  };
}
