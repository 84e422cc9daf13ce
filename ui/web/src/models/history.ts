// The open device page's history (online periods, timeline, destinations, 24 h traffic): a signal and its fetch.
import { signal } from '@preact/signals';
import { api } from './api.js';
import { lang } from './lang.js';
import type { HistoryView } from './types.js';

export const history = signal<{ mac: string; view: HistoryView } | null>(null);

export async function loadHistory(mac: string): Promise<void> {
  try {
    const view = await api<HistoryView>(`/api/devices/${mac}/history?lang=${lang.value}`);
    history.value = { mac, view };
  } catch {
    if (history.value?.mac !== mac) history.value = null;
  }
}
