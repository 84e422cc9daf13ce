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

export const needAttention = computed(() => devices.value.filter((d) => RANK[d.status] >= RANK['update-advised']));

/** Open actions of every device, most urgent first: the overview's to-do list. */
export const todo = computed(() =>
  devices.value
    .flatMap((d) => d.actions.map((a) => ({ ...a, device: d })))
    .sort((a, b) => a.priority - b.priority || RANK[b.device.status] - RANK[a.device.status]),
);

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
