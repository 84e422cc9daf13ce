// One alert in the household's words; the technical summary and evidence fold away under "Technische details".
// On its own page the title is the page's heading; in the device page's list it is compact.
import { ago, lang, t, when } from '../models/lang.js';
import { formatNumber } from '../../../../sensor/i18n/format.js';
import type { AlertView } from '../models/types.js';

export interface AlertItemProps {
  alert: AlertView;
  /** Where the title links to (the alert's own page), in a list. */
  href?: string;
  /** The alert's own page: a section with the title as h1 instead of a list item. */
  page?: boolean;
  /** In the device page's list: title, severity and when; the rest is on the alert's page (href). */
  compact?: boolean;
}

export function AlertItem({ alert, href, page, compact }: AlertItemProps) {
  const title = page ? <h1 id="al-h">{alert.title}</h1> : href ? <a href={href}><strong>{alert.title}</strong></a> : <strong>{alert.title}</strong>;
  const body = (
    <>
      <div class="alert-head">
        <span class={`sev sev-${alert.severity}`}>{t(`sev.${alert.severity}`)}</span>
        {title}
      </div>
      {!compact && <p>{alert.summary}</p>}
      <p class="muted small">
        <span title={`${when(alert.first_seen_ms)} – ${when(alert.last_seen_ms)}`}>{t('alert.last')} {ago(alert.last_seen_ms)}</span>
        {' · '}{formatNumber(alert.count, lang.value)} {t(alert.count === 1 ? 'alert.count1' : 'alert.count')}
      </p>
      {!compact && (
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
      )}
    </>
  );
  return page ? <div class={`alert alert-page sev-${alert.severity}`}>{body}</div> : <li class={`alert sev-${alert.severity}`}>{body}</li>;
}
