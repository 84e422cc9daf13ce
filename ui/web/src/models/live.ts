// Live updates: server-sent events from /api/events trigger (coalesced) reloads of what changed.
import { signal } from '@preact/signals';
import { api } from './api.js';
import { detail, loadDetail, loadDevices } from './devices.js';
import { history, loadHistory } from './history.js';
import { loadHealth } from './health.js';

export const connected = signal(false);

interface Change { type: 'device' | 'alert' | 'stats'; mac?: string; device?: string | null }

let source: EventSource | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let reloadDetail = false;

function schedule(): void {
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    void loadDevices().catch(() => {});
    const d = detail.value;
    if (d && reloadDetail) void loadDetail(d.mac);
    if (d && reloadDetail && history.value?.mac === d.mac) void loadHistory(d.mac);
    reloadDetail = false;
  }, 500);
}

export function startLive(): void {
  if (source) return;
  source = new EventSource('/api/events');
  source.addEventListener('hello', () => { connected.value = true; schedule(); loadHealth(); });
  source.addEventListener('changes', (ev) => {
    let batch: Change[] = [];
    try { batch = JSON.parse((ev as MessageEvent<string>).data) as Change[]; } catch { return; }
    const open = detail.value?.mac;
    for (const c of batch) {
      if (c.mac === open || c.device === open) reloadDetail = true;
      if (c.type === 'stats') loadHealth();
    }
    schedule();
  });
  source.onerror = () => { connected.value = false; };
}

export function stopLive(): void {
  source?.close();
  source = null;
  connected.value = false;
}
