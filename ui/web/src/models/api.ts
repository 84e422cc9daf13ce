// fetch() for the API: same origin, JSON, the CSRF token on state changes, 401 sends the user to the login form.
import { signal } from '@preact/signals';
import { cleanJson } from './text.js';

export const csrf = signal<string | null>(null);
export const authed = signal<boolean | null>(null);
export const networkError = signal(false);

export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.method && init.method !== 'GET' && csrf.value) headers['x-csrf-token'] = csrf.value;
  let res: Response;
  try {
    res = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), credentials: 'same-origin' });
  } catch (err) {
    networkError.value = true;
    throw err;
  }
  networkError.value = false;
  if (res.status === 401 && !path.startsWith('/api/login')) authed.value = false;
  // Names from the network are hostile text: no bidi overrides or other invisible characters reach the page.
  const data = cleanJson((await res.json().catch(() => ({}))) as T & { error?: string });
  if (!res.ok) throw new ApiError(res.status, data.error ?? res.statusText);
  return data;
}
