// The household's answer to "What is this?": save, clear and undo the last change, then reload the device.
import { signal } from '@preact/signals';
import { api, ApiError } from './api.js';
import { lang } from './lang.js';
import { loadDetail, loadDevices } from './devices.js';
import type { AnswerInput } from './types.js';

/** What the last change replaced, for one device: undo puts it back (null: there was no answer). */
export const undoable = signal<{ mac: string; previous: AnswerInput | null } | null>(null);
/** The server's reason when a save was refused (shown under the form). */
export const answerError = signal<string | null>(null);

interface Changed { previous: AnswerInput | null }

async function change(mac: string, body: AnswerInput | null): Promise<Changed | null> {
  answerError.value = null;
  try {
    const path = `/api/devices/${mac}/answer?lang=${lang.value}`;
    return body ? await api<Changed>(path, { method: 'PUT', body }) : await api<Changed>(path, { method: 'DELETE' });
  } catch (err) {
    answerError.value = err instanceof ApiError ? err.message : String(err);
    return null;
  } finally {
    await Promise.all([loadDetail(mac), loadDevices()]).catch(() => {});
  }
}

export async function saveAnswer(mac: string, a: AnswerInput): Promise<void> {
  const r = await change(mac, a);
  if (r) undoable.value = { mac, previous: r.previous };
}

export async function clearAnswer(mac: string): Promise<void> {
  const r = await change(mac, null);
  if (r) undoable.value = { mac, previous: r.previous };
}

export async function undoAnswer(mac: string): Promise<void> {
  const u = undoable.value;
  if (!u || u.mac !== mac) return;
  undoable.value = null;
  await change(mac, u.previous);
}
