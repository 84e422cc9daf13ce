// One alert in the household's words; the technical summary and evidence fold away under "Technische details".
import { ago, lang, t, when } from '../models/lang.js';
import { formatNumber } from '../../../../sensor/i18n/format.js';
import type { AlertView } from '../models/types.js';

export function AlertItem({ alert }: { alert: AlertView }) {
  return (
    <li class={`alert sev-${alert.severity}`}>
      <div class="alert-head">
        <span class={`sev sev-${alert.severity}`}>{t(`sev.${alert.severity}`)}</span>
        <strong>{alert.title}</strong>
      </div>
      <p>{alert.summary}</p>
      <p class="muted small">
        <span title={`${when(alert.first_seen_ms)} – ${when(alert.last_seen_ms)}`}>{t('alert.last')} {ago(alert.last_seen_ms)}</span>
        {' · '}{formatNumber(alert.count, lang.value)} {t(alert.count === 1 ? 'alert.count1' : 'alert.count')}
      </p>
      <details class="technical">
        <summary>{t('alert.details')}</summary>
        <p class="small mono">{alert.technical}</p>
        <p class="muted small">{when(alert.first_seen_ms)} – {when(alert.last_seen_ms)} · {alert.rule}</p>
        {alert.evidence.length > 0 && (
          <>
            <p class="small">{t('alert.evidence')} ({alert.evidence.length})</p>
            <ul class="evidence">{alert.evidence.map((e) => <li>{e.detail}</li>)}</ul>
          </>
        )}
      </details>
    </li>
  );
}
