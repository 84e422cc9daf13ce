// Reads and validates a JSON request body: wrong type, bad JSON or a schema miss give a 4xx with the reason.
import type { Context } from 'hono';
import type { z } from 'zod';
import { fail } from '../context.js';

export type BodyResult<T> = { ok: true; data: T } | { ok: false; response: Response };

export async function readJson<T>(c: Context, schema: z.ZodType<T>): Promise<BodyResult<T>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) return { ok: false, response: fail(c, 415, 'send Content-Type: application/json') };
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return { ok: false, response: fail(c, 400, 'body is not valid JSON') };
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    return { ok: false, response: fail(c, 400, `${i.path.join('.') || 'body'}: ${i.message}`) };
  }
  return { ok: true, data: r.data };
}

export const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
