// What the household decided about devices' network access (quarantined, paused until, approved), validated and bounded.
import { z } from 'zod';

/** Devices per list: a home has tens; the cap keeps a hostile flood of MACs from growing the store or the nft sets. */
export const MAX_ENTRIES = 1024;
/** Lines of the act log kept (who did what, when). */
export const MAX_LOG = 200;

const Mac = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
const By = z.enum(['household', 'auto', 'isp']);
export type By = z.infer<typeof By>;

const StateSchema = z.object({
  version: z.literal(1),
  quarantine: z.record(Mac, z.object({ at: z.number(), by: By, reason: z.string().max(200).nullable() })),
  pause: z.record(Mac, z.object({ at: z.number(), by: By, until: z.number() })),
  known: z.array(Mac).max(MAX_ENTRIES * 4),
  /** When the household last lifted a quarantine: auto-quarantine waits for a new alert after it. */
  lifted: z.record(Mac, z.number()),
  log: z.array(z.object({ at: z.number(), mac: Mac, action: z.string(), by: By, ok: z.boolean(), detail: z.string().nullable() })).max(MAX_LOG),
});

export type ActState = z.infer<typeof StateSchema>;

export function emptyState(): ActState {
  return { version: 1, quarantine: {}, pause: {}, known: [], lifted: {}, log: [] };
}

/** The saved state, or a fresh one with the reason it was refused (a corrupt store never blocks the start). */
export function restoreState(raw: unknown): { state: ActState; refused: string | null } {
  if (raw === undefined || raw === null) return { state: emptyState(), refused: null };
  const r = StateSchema.safeParse(raw);
  if (!r.success) return { state: emptyState(), refused: `${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}` };
  return { state: r.data, refused: null };
}

/** Pauses whose end passed (nft already dropped the element by its timeout); true when any went. */
export function prunePauses(s: ActState, now: number): boolean {
  let gone = false;
  for (const [mac, p] of Object.entries(s.pause)) if (p.until <= now) { delete s.pause[mac]; gone = true; }
  return gone;
}

export function clone(s: ActState): ActState {
  return structuredClone(s);
}
