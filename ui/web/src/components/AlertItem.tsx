// One alert with its evidence in words.
import { t, when } from '../models/lang.js';
import type { AlertView } from '../models/types.js';

export function AlertItem({ alert }: { alert: AlertView }) {
  return (
    <li class={`alert sev-${alert.severity}`}>
      <div class="alert-head">
        <span class={`sev sev-${alert.severity}`}>{t(`sev.${alert.severity}`)}</span>
        <strong>{alert.title}</strong>
      </div>
      <p>{alert.summary}</p>
      <p class="muted small">{when(alert.first_seen_ms)} – {when(alert.last_seen_ms)} · {alert.count} {t('alert.count')}</p>
      {alert.evidence.length > 0 && (
        <details>
          <summary>{t('alert.evidence')} ({alert.evidence.length})</summary>
          <ul class="evidence">{alert.evidence.map((e) => <li>{e.detail}</li>)}</ul>
        </details>
      )}
    </li>
  );
}
