// ISP mode: a quarantine/release/pause/resume command signed with HMAC-SHA256 over a shared key, with a timestamp
// and a nonce so a captured command cannot be replayed. Verification is pure; the nonce memory is bounded.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const CommandSchema = z.object({
  action: z.enum(['quarantine', 'release', 'pause', 'resume']),
  mac: z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/),
  /** Required for pause (wall-clock ms). */
  until_ms: z.number().int().positive().optional(),
  reason: z.string().max(200).optional(),
  /** Wall-clock ms when the ISP signed it. */
  ts: z.number().int().positive(),
  nonce: z.string().regex(/^[0-9a-f]{16,64}$/),
  sig: z.string().regex(/^[0-9a-f]{64}$/),
}).strict();

export type Command = z.infer<typeof CommandSchema>;

/** The signed text: every field that changes what happens, one per line, in this order. */
export function canonical(c: Omit<Command, 'sig'>): string {
  return ['waakhond.act/1', c.action, c.mac, c.until_ms ?? '', c.reason ?? '', c.ts, c.nonce].join('\n');
}

export function sign(c: Omit<Command, 'sig'>, key: string): Command {
  return { ...c, sig: createHmac('sha256', key).update(canonical(c)).digest('hex') };
}

export class CommandVerifier {
  /** nonce -> ts; entries older than the window are useless to a replayer (refused by time) and dropped. */
  private seen = new Map<string, number>();

  constructor(private readonly key: string, private readonly maxSkewMs: number, private readonly maxNonces = 10_000) {}

  verify(payload: Buffer | string, now: number): { ok: true; cmd: Command } | { ok: false; error: string } {
    if (payload.length > 2048) return { ok: false, error: 'command too large' };
    let raw: unknown;
    try { raw = JSON.parse(payload.toString()); } catch { return { ok: false, error: 'not JSON' }; }
    const r = CommandSchema.safeParse(raw);
    if (!r.success) return { ok: false, error: `${r.error.issues[0].path.join('.') || 'body'}: ${r.error.issues[0].message}` };
    const cmd = r.data;
    const want = createHmac('sha256', this.key).update(canonical(cmd)).digest();
    if (!timingSafeEqual(want, Buffer.from(cmd.sig, 'hex'))) return { ok: false, error: 'bad signature' };
    if (Math.abs(now - cmd.ts) > this.maxSkewMs) return { ok: false, error: 'timestamp outside the allowed window (replay or clock skew)' };
    if (this.seen.has(cmd.nonce)) return { ok: false, error: 'nonce already used (replay)' };
    if (cmd.action === 'pause' && !cmd.until_ms) return { ok: false, error: 'pause needs until_ms' };
    for (const [n, ts] of this.seen) if (Math.abs(now - ts) > this.maxSkewMs) this.seen.delete(n);
    // Full of fresh nonces (a flood of validly signed commands): refuse rather than forget one that could be replayed.
    if (this.seen.size >= this.maxNonces) return { ok: false, error: 'too many commands in the window' };
    this.seen.set(cmd.nonce, cmd.ts);
    return { ok: true, cmd };
  }
}
