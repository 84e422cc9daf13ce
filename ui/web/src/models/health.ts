// The watchdog's own state (GET /api/health, no session needed): a capture that ended or failed is not "Live",
// and a full or failing disk shows a banner until saving works again. One signal, one fetch, for both.
import { computed, signal } from '@preact/signals';
import { api } from './api.js';

export interface SavingState { ok: boolean; problem: string | null; code: string | null; since: string | null; failures: number }
export interface Health {
  capture: 'running' | 'ended' | 'failed' | string;
  capture_error: string | null;
  kernel_drops: number;
  last_packet: string | null;
  saving?: SavingState;
}

export const health = signal<Health | null>(null);
export const saving = computed<SavingState | null>(() => health.value?.saving ?? null);

let soon: ReturnType<typeof setTimeout> | null = null;
let every: ReturnType<typeof setInterval> | null = null;

function fetchHealth(): void {
  api<Health>('/api/health').then((h) => { health.value = h; }, () => { /* the network banner says it */ });
}

/** Coalesced: many live "stats" changes within a second cost one request. */
export function loadHealth(): void {
  if (soon) return;
  soon = setTimeout(() => { soon = null; fetchHealth(); }, 1000);
}

/** Checks now and then every 30 s, also when no live change arrives (a disk fills up quietly). */
export function watchHealth(): void {
  if (every) return;
  fetchHealth();
  every = setInterval(fetchHealth, 30_000);
}
