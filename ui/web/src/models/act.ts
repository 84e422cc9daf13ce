// Quarantine and pause of the open device: what the router can do here (and why not), and the actions that change it.
import { signal } from '@preact/signals';
import { api } from './api.js';

export interface ActCapability { capable: boolean; reasons: string[]; codes: string[] }
export interface DeviceAct { mac: string; quarantined: { at: number; by: 'household' | 'auto' | 'isp'; reason: string | null } | null; paused_until: number | null }
export interface ActView { capability: ActCapability; device: DeviceAct }

export const actView = signal<ActView | null>(null);
export const actBusy = signal(false);
export const actError = signal<string | null>(null);

export async function loadAct(mac: string): Promise<void> {
  if (actView.value?.device.mac !== mac) actError.value = null;
  try {
    const v = await api<ActView>(`/api/devices/${mac}/act`);
    actView.value = v;
  } catch {
    if (actView.value?.device.mac !== mac) actView.value = null;
  }
}

async function change(mac: string, method: 'POST' | 'DELETE', what: 'quarantine' | 'pause', body?: unknown): Promise<void> {
  actBusy.value = true;
  actError.value = null;
  try {
    await api(`/api/devices/${mac}/${what}`, { method, body });
  } catch (err) {
    // The server's reason ("the firewall refused the change, nothing was changed: ...") is shown as it is.
    actError.value = (err as Error).message;
  } finally {
    actBusy.value = false;
    await loadAct(mac);
  }
}

export const quarantine = (mac: string) => change(mac, 'POST', 'quarantine');
export const lift = (mac: string) => change(mac, 'DELETE', 'quarantine');
export const pause = (mac: string, untilMs: number) => change(mac, 'POST', 'pause', { until_ms: untilMs });
export const resume = (mac: string) => change(mac, 'DELETE', 'pause');
