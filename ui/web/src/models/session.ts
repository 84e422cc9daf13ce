// Session state and actions: check on start, log in, log out.
import { api, authed, csrf, ApiError } from './api.js';

export async function checkSession(): Promise<void> {
  try {
    const s = await api<{ authenticated: boolean; csrf: string | null }>('/api/session');
    csrf.value = s.csrf;
    authed.value = s.authenticated;
  } catch {
    authed.value = false;
  }
}

/** Returns null on success, else the reason key for the form. */
export async function login(password: string): Promise<string | null> {
  try {
    const r = await api<{ csrf: string }>('/api/login', { method: 'POST', body: { password } });
    csrf.value = r.csrf;
    authed.value = true;
    return null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 429) return 'login.busy';
    return 'login.wrong';
  }
}

export async function logout(): Promise<void> {
  try { await api('/api/logout', { method: 'POST' }); } finally {
    csrf.value = null;
    authed.value = false;
  }
}
