// Response bodies kept between changes: the bytes once (not a string encoded again for every request),
// and a gzip copy for the browsers that accept it, made once per body. The device list of a 300-device
// home is ~560 kB of JSON and ~31 kB gzipped: writing it to every dashboard was half the daemon's CPU
// under load (issue #14), and a phone on Wi-Fi waits for it.
import { gzipSync } from 'node:zlib';
import type { Context } from 'hono';

export interface Body {
  raw: Buffer;
  /** Made by the first request that takes gzip (sendBody); stays null for bodies too small to be worth it. */
  gzip: Buffer | null;
}

interface Held {
  body: Body;
  at: number;
}

/** Below this a body goes out as it is (a gzip header and a thread-pool trip cost more than they save). */
const GZIP_FROM = 2048;

export class BodyCache {
  private readonly held = new Map<string, Held>();
  readonly stats = { made: 0, hits: 0 };

  /** @param maxEntries bodies kept at most (query variants like ?limit=); the oldest made goes first. */
  constructor(private readonly maxEntries = 16) {}

  /** `make()`'s body, kept until clear() or until maxAgeMs have passed since it was made. */
  get(name: string, make: () => string, maxAgeMs = Infinity, nowMs = Date.now()): Body {
    const hit = this.held.get(name);
    if (hit !== undefined && nowMs - hit.at < maxAgeMs) { this.stats.hits++; return hit.body; }
    this.stats.made++;
    const body: Body = { raw: Buffer.from(make(), 'utf8'), gzip: null };
    const entry = { body, at: nowMs };
    this.held.delete(name);
    this.held.set(name, entry);
    if (this.held.size > this.maxEntries) this.held.delete(this.held.keys().next().value as string);
    return body;
  }

  clear(): void {
    this.held.clear();
  }
}

/** Whether a request's Accept-Encoding takes gzip (q=0 refuses it, RFC 9110 12.5.3). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let gz: boolean | null = null;
  let any: boolean | null = null;
  for (const part of header.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const ok = q === undefined || Number(q.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') gz = ok;
    else if (coding === '*') any = ok;
  }
  return gz ?? any ?? false;
}

/**
 * The body gzipped, made now if it was not yet. Synchronously, on purpose: level 1 does the 560 kB list in
 * ~2 ms once per change, where compressing in the thread pool left every request of the meantime (a whole
 * turn of the event loop under load: ~20 device lists, 11 MB) to be written uncompressed.
 */
export function gzipped(body: Body): Buffer | null {
  if (body.gzip === null && body.raw.length >= GZIP_FROM) body.gzip = gzipSync(body.raw, { level: 1 });
  return body.gzip;
}

/** The response for a cached body: gzip when the client takes it (and it is big enough), else the bytes as they are. */
export function sendBody(c: Context, body: Body, type: string): Response {
  c.header('Vary', 'Accept-Encoding');
  if (body.raw.length >= GZIP_FROM && acceptsGzip(c.req.header('accept-encoding'))) {
    return c.body(gzipped(body) as unknown as ArrayBuffer, 200, { 'Content-Type': type, 'Content-Encoding': 'gzip' });
  }
  return c.body(body.raw as unknown as ArrayBuffer, 200, { 'Content-Type': type });
}
