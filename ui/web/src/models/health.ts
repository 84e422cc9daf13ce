// Whether the daemon can save (GET /api/health "saving"): a full or failing disk shows a banner until it works again.
import { signal } from '@preact/signals';
import { api } from './api.js';

export interface SavingState { ok: boolean; problem: string | null; code: string | null; since: string | null; failures: number }

export const saving = signal<SavingState | null>(null);

let timer: ReturnType<typeof setInterval> | null = null;

async function check(): Promise<void> {
  try {
    const h = await api<{ saving?: SavingState }>('/api/health');
    saving.value = h.saving ?? null;
  } catch { /* the network banner says it */ }
}

/** Checks now and then every 30 s (health is cheap and needs no session). */
export function watchSaving(): void {
  if (timer) return;
  void check();
  timer = setInterval(() => void check(), 30_000);
}
