// The login form: one password field with a visible label and an error announced to screen readers.
import { useState } from 'preact/hooks';
import { t } from '../models/lang.js';

export function Login({ onSubmit }: { onSubmit: (password: string) => Promise<string | null> }) {
  const [pw, setPw] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" class="login">
      <form class="card" onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setErr(await onSubmit(pw));
        setBusy(false);
      }}>
        <h1>{t('login.title')}</h1>
        <label for="pw">{t('login.password')}</label>
        <input id="pw" name="password" type="password" autocomplete="current-password" required value={pw}
          aria-invalid={err ? 'true' : undefined} aria-describedby="pw-hint" onInput={(e) => setPw((e.target as HTMLInputElement).value)} />
        {err && <p class="error" role="alert">{t(err)}</p>}
        <button type="submit" class="primary" disabled={busy}>{t('login.submit')}</button>
        <p id="pw-hint" class="hint">{t('login.hint')}</p>
      </form>
    </main>
  );
}
