// The device's history: online now or not, its online periods, what happened (alerts, identity) and whom it talks to.
import { useState } from 'preact/hooks';
import { ago, t, when } from '../models/lang.js';
import { hrefAlert } from '../models/route.js';
import type { HistoryView } from '../models/types.js';
import { fmtBytes } from './TrafficChart.js';

/** Shown before "show all": a phone screen stays short. */
const SHOWN = 4;
/** The timeline's latest events shown before "Show all": three, as the alerts above it (household texts name the device, so lines are long on a phone). */
const EVENTS_SHOWN = 3;

type Facts = { vendor: string | null; model: string | null; category: string };
const facts = (f: Facts) => [t(`kind.${f.category}`), f.vendor, f.model].filter(Boolean).join(' · ');

export function HistoryPanel({ mac, view: h }: { mac: string; view: HistoryView }) {
  const [allEvents, setAllEvents] = useState(false);
  const last = h.periods[h.periods.length - 1];
  // The strip spans the stored periods (at most 7 days): each period a bar on it.
  const s0 = h.periods[0]?.[0] ?? 0;
  const s1 = Math.max(last?.[1] ?? 0, s0 + 60_000);
  const top = h.destinations.slice(0, SHOWN);
  const rest = h.destinations.slice(SHOWN);
  const dest = (d: HistoryView['destinations'][number]) => (
    <li><span class={d.named ? 'dest-name' : 'dest-name mono'}>{d.name}</span><span class="dest-bytes">{fmtBytes(d.bytes)}</span></li>
  );
  return (
    <div class="history">
      <p>
        <span class={h.online ? 'badge badge-ok' : 'badge badge-check'}>{h.online ? t('history.online') : t('history.offline')}</span>
        {last && <span class="muted small"> {h.online ? `${t('history.online.since')} ${ago(last[0])}` : `${t('list.lastseen')} ${ago(last[1])}`}</span>}
      </p>
      {h.periods.length > 0 && (
        <div class="periods" role="img" aria-label={`${t('history.periods')}: ${h.periods.map((p) => `${when(p[0])} – ${when(p[1])}`).join('; ')}`}>
          {h.periods.map((p) => <span style={{ left: `${((p[0] - s0) / (s1 - s0)) * 100}%`, width: `${Math.max(0.8, ((p[1] - p[0]) / (s1 - s0)) * 100)}%` }} />)}
        </div>
      )}
      <h3>{t('history.timeline')}</h3>
      {h.timeline.length === 0 ? <p class="empty">{t('history.none')}</p> : (
        <>
          <ol class="timeline">
            {(allEvents ? h.timeline : h.timeline.slice(0, EVENTS_SHOWN)).map((e) => (
              <li class={`tl-${e.kind}`}>
                <time class="muted small">{when(e.ts_ms)}</time>
                {e.kind === 'alert' && <span><span class={`sev sev-${e.severity}`}>{t(`sev.${e.severity}`)}</span> <a href={hrefAlert(mac, e.alert)}>{e.title}</a></span>}
                {e.kind === 'identity' && <span>{t('history.identity')}: {facts(e.to)} <span class="muted">({t('history.identity.was')}: {facts(e.from)})</span></span>}
                {e.kind === 'first-seen' && <span>{t('history.first-seen')}: {facts(e.to)}</span>}
              </li>
            ))}
          </ol>
          {h.timeline.length > EVENTS_SHOWN && !allEvents && (
            <button type="button" onClick={() => setAllEvents(true)}>{t('history.more').replace('{n}', String(h.timeline.length))}</button>
          )}
        </>
      )}
      <h3>{t('history.dest')}</h3>
      {h.destinations.length === 0 ? <p class="empty">{t('history.dest.none')}</p> : (
        <>
          <ul class="dests">{top.map(dest)}</ul>
          {(rest.length > 0 || h.other_bytes > 0) && (
            <details>
              <summary>{t('history.more').replace('{n}', String(h.destinations.length))}</summary>
              <ul class="dests">{rest.map(dest)}{h.other_bytes > 0 && <li><span class="dest-name muted">{t('history.dest.other')}</span><span class="dest-bytes">{fmtBytes(h.other_bytes)}</span></li>}</ul>
            </details>
          )}
        </>
      )}
      <p class="muted small">{t('history.bounds').replace('{timeline}', String(h.bounds.timeline)).replace('{periods}', String(h.bounds.periods)).replace('{dest}', String(h.bounds.destinations))}</p>
    </div>
  );
}
