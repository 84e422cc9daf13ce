// GET /api/events: server-sent events (HTML Living Standard 9.2) telling the dashboard what changed, at most once a second.
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { fail } from '../context.js';
import type { Env } from '../context.js';
import type { HubEvent } from '../hub.js';

const HEARTBEAT_MS = 25_000;

export function eventRoutes(): Hono<Env> {
  const r = new Hono<Env>();
  r.get('/api/events', (c) => {
    const hub = c.var.deps.hub;
    if (hub.subscribers >= 32) return fail(c, 503, 'too many live connections');
    return streamSSE(c, async (stream) => {
      let wake: (() => void) | null = null;
      let queue: HubEvent[] = [];
      const unsubscribe = hub.subscribe((batch) => {
        // A slow client gets a "reload" instead of an ever-growing queue.
        queue = queue.length + batch.length > 500 ? [{ type: 'stats' }] : queue.concat(batch);
        wake?.();
      });
      if (!unsubscribe) return;
      let open = true;
      stream.onAbort(() => { open = false; unsubscribe(); wake?.(); });
      await stream.writeSSE({ event: 'hello', data: '{}' });
      while (open) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, HEARTBEAT_MS).unref();
        });
        wake = null;
        if (!open) break;
        const batch = queue;
        queue = [];
        if (batch.length === 0) {
          await stream.write(': keepalive\n\n');
          continue;
        }
        await stream.writeSSE({ event: 'changes', data: JSON.stringify(batch) });
      }
      unsubscribe();
    });
  });
  return r;
}
