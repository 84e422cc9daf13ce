// Devices and the open device page: signals plus the fetch actions that fill and change them.
import { signal, computed } from '@preact/signals';
import { api } from './api.js';
import { lang, t } from './lang.js';
import { hrefDevice } from './route.js';
import type { DeviceDetail, DeviceSummary, Status } from './types.js';

export const devices = signal<DeviceSummary[]>([]);
export const loaded = signal(false);
export const detail = signal<DeviceDetail | null>(null);
export const detailMissing = signal(false);
export const search = signal('');
export const statusFilter = signal<Status | 'all'>('all');

const RANK: Record<Status, number> = { ok: 0, check: 1, 'update-advised': 2, exposed: 3, infected: 4 };

/**
 * The overview's calm list: each device that needs something once, with its single most urgent action
 * (the rest is on its page); the worst device first. Its length is the "need attention" counter.
 */
export const todo = computed(() =>
  devices.value
    .filter((d) => d.actions.length > 0)
    .map((d) => ({ ...d.actions[0], device: d, more: d.actions.length - 1 }))
    .sort((a, b) => RANK[b.device.status] - RANK[a.device.status] || a.priority - b.priority),
);

export const needAttention = computed(() => todo.value.map((a) => a.device));

/** Devices with only a quiet tip ("doe je updates" without a reason to hurry): one line on the overview. */
export const tipDevices = computed(() => devices.value.filter((d) => d.actions.length === 0 && d.tips.length > 0));

export const filtered = computed(() => {
  const q = search.value.trim().toLowerCase();
  const f = statusFilter.value;
  return devices.value.filter((d) => {
    if (f !== 'all' && d.status !== f) return false;
    if (!q) return true;
    // What the list shows, in the current language ("stekker" finds a "Slimme stekker"), plus the raw fields.
    return [d.label, t(`kind.${d.category}`), t(`status.${d.status}`), d.vendor, d.model, d.hostname, d.mac, d.category, ...d.ips]
      .some((s) => s?.toLowerCase().includes(q));
  });
});

export async function loadDevices(): Promise<void> {
  const r = await api<{ devices: DeviceSummary[] }>(`/api/devices?lang=${lang.value}`);
  devices.value = r.devices;
  loaded.value = true;
}

export async function loadDetail(mac: string): Promise<void> {
  try {
    const d = await api<DeviceDetail>(`/api/devices/${mac}?lang=${lang.value}`);
    // Another MAC of the device (a phone's older private address): the page is the device's key.
    if (d.mac !== mac) { location.replace(hrefDevice(d.mac)); return; }
    detail.value = d;
    detailMissing.value = false;
  } catch {
    if (detail.value?.mac !== mac) detail.value = null;
    detailMissing.value = true;
  }
}

export async function rename(mac: string, name: string | null): Promise<void> {
  await api(`/api/devices/${mac}?lang=${lang.value}`, { method: 'PATCH', body: { name } });
  await Promise.all([loadDetail(mac), loadDevices()]);
}

export async function setAdvice(key: string, action: 'done' | 'snooze' | 'reopen'): Promise<void> {
  const mac = key.slice(key.indexOf('@') + 1);
  await api(`/api/advice/${encodeURIComponent(key)}?lang=${lang.value}`, { method: 'POST', body: action === 'snooze' ? { action, days: 7 } : { action } });
  await Promise.all([loadDetail(mac), loadDevices()]);
}
