// The built dashboard: index.html and hashed assets from dist/web, read once into memory (it is small).
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { Hono } from 'hono';
import type { Env } from '../context.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.webmanifest': 'application/manifest+json',
};

interface Asset { body: Uint8Array; gzip: Uint8Array | null; type: string; immutable: boolean }

/** Reads every file under dir (bounded: the dashboard is a few files). */
export function loadAssets(dir: string | null): Map<string, Asset> {
  const out = new Map<string, Asset>();
  if (!dir || !existsSync(dir)) return out;
  const walk = (d: string, prefix: string, depth: number) => {
    if (depth > 4 || out.size > 200) return;
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full, `${prefix}${name}/`, depth + 1);
      else if (st.size < 2_000_000) {
        const ext = path.extname(name);
        const body = readFileSync(full);
        // Compressed once at start (the whole dashboard is ~20 kB gzipped): a Pi on Wi-Fi sends a third.
        const gzip = /\.(js|css|html|svg|json)$/.test(name) ? gzipSync(body, { level: 9 }) : null;
        out.set(`/${prefix}${name}`, { body, gzip, type: TYPES[ext] ?? 'application/octet-stream', immutable: prefix.startsWith('assets/') });
      }
    }
  };
  walk(dir, '', 0);
  return out;
}

const NOT_BUILT = '<!doctype html><meta charset="utf-8"><title>Waakhond</title><p>The dashboard is not built: run <code>npm run build</code>.</p>';

export function webRoutes(webDir: string | null): Hono<Env> {
  const assets = loadAssets(webDir);
  const r = new Hono<Env>();
  r.get('*', (c) => {
    const p = c.req.path;
    if (p.startsWith('/api/')) return c.json({ error: 'no such API route' }, 404);
    const a = assets.get(p) ?? (path.extname(p) === '' ? assets.get('/index.html') : undefined);
    if (!a) {
      if (assets.size === 0 && path.extname(p) === '') return c.html(NOT_BUILT, 503);
      return c.text('not found', 404);
    }
    c.header('Cache-Control', a.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    c.header('Vary', 'Accept-Encoding');
    if (a.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
      return c.body(a.gzip as unknown as ArrayBuffer, 200, { 'Content-Type': a.type, 'Content-Encoding': 'gzip' });
    }
    return c.body(a.body as unknown as ArrayBuffer, 200, { 'Content-Type': a.type });
  });
  return r;
}
