// The device page: identity and why we think so, the advice cards, what we saw, traffic, and the household's own name.
import { useEffect, useState } from 'preact/hooks';
import { ago, t, when } from '../models/lang.js';
import { whole } from './Whole.js';
import { hrefAlert } from '../models/route.js';
import type { AnswerInput, DeviceDetail, HistoryView } from '../models/types.js';
import { AdviceCard } from './AdviceCard.js';
import { AlertItem } from './AlertItem.js';
import { HistoryPanel } from './HistoryPanel.js';
import { KindIcon } from './KindIcon.js';
import { StatusBadge } from './StatusBadge.js';
import { TrafficChart } from './TrafficChart.js';
import { WhatIsThis } from './WhatIsThis.js';
import { ActPanel } from './ActPanel.js';
import { actBusy, actError, actView, lift, loadAct, pause, quarantine, resume } from '../models/act.js';

/** The worst few alerts first; the rest behind a button (an infected camera easily has a dozen). */
const ALERTS_SHOWN = 3;
/** Identity clues shown before "all clues" (the rest folds: a phone screen stays short). */
const EVIDENCE_SHOWN = 3;
/** The per-minute chart while it covers the device's traffic; the 24 h buckets once there is more. */
const MINUTES_SPAN_MS = 2 * 3_600_000;

export interface DevicePageProps {
  device: DeviceDetail | null;
  history: HistoryView | null;
  missing: boolean;
  onRename: (mac: string, name: string | null) => void;
  onAdvice: (key: string, action: 'done' | 'snooze' | 'reopen') => void;
  /** "What is this?": the household's answer (save, clear, undo the last change). */
  answer: { canUndo: boolean; error: string | null; onSave: (mac: string, a: AnswerInput) => void; onClear: (mac: string) => void; onUndo: (mac: string) => void };
}

/** A clue's claims in words: "points to maker Hikvision, model DS-2CD2032-I, camera"; null when it claims nothing by itself. */
function says(e: { vendor: string | null; model: string | null; category: string | null }): string | null {
  const parts = [
    e.vendor && t('evidence.maker').replace('{v}', e.vendor),
    e.model && t('evidence.model').replace('{v}', e.model),
    e.category && e.category !== 'other' && t(`kind.${e.category}`).toLowerCase(),
  ].filter(Boolean);
  return parts.length ? `${t('evidence.says')} ${parts.join(', ')}` : null;
}

export function DevicePage({ device: d, history, missing, onRename, onAdvice, answer }: DevicePageProps) {
  const [name, setName] = useState(d?.user_name ?? '');
  const [allAlerts, setAllAlerts] = useState(false);
  useEffect(() => setName(d?.user_name ?? ''), [d?.mac, d?.user_name]);
  useEffect(() => setAllAlerts(false), [d?.mac]);
  // Quarantine/pause state follows the device page (reloaded whenever the device changes, e.g. auto-quarantine).
  useEffect(() => { if (d) void loadAct(d.mac); }, [d]);
  if (!d) return <section><p><a href="#/devices">← {t('device.back')}</a></p>{missing && <p class="empty">{t('device.notfound')}</p>}</section>;
  const unknown = <span class="muted">{t('device.unknown')}</span>;
  // The most urgent open card stays open; the others fold to their titles; tips come last, folded.
  const open = d.advice.filter((c) => c.state === 'open' && !c.quiet);
  const tips = d.advice.filter((c) => c.state === 'open' && c.quiet);
  const closed = d.advice.filter((c) => c.state !== 'open');
  const day = history?.traffic ?? [];
  const minutes = d.traffic.map((p) => [p[0], p[1], p[2]] as [number, number, number]);
  const useDay = day.length > 0 && (minutes.length === 0 || day[day.length - 1][0] - day[0][0] > MINUTES_SPAN_MS);
  const evidence = (e: DeviceDetail['evidence'][number]) => e.source === 'user'
    // The household's own answer, in their words: "you said so" and what they said.
    ? <li class="said"><span class="src">{t('evidence.user')}</span> {t('whatis.said')}: {[e.category && t(`kind.${e.category}`), e.vendor, d.answer?.name && `"${d.answer.name}"`].filter(Boolean).join(', ')}</li>
    // What the clue says, in the household's language from its fields (maker, model, kind); the wire's own
    // words ("DHCP vendor class MSFT 5.0") are under "Technische details".
    : <li><span class="src">{e.source}</span> {says(e) ?? e.detail}</li>;
  return (
    <section aria-labelledby="dev-h" class="device">
      <p><a href="#/devices">← {t('device.back')}</a></p>
      <div class={`dev-head dev-${d.status}`}>
        <KindIcon category={d.category} size={44} />
        <div>
          <h1 id="dev-h">{whole(d.label)}</h1>
          <p class="muted">{whole([t(`kind.${d.category}`), d.vendor, d.model].filter(Boolean).join(' · '))} · {t('list.lastseen')} {ago(d.last_seen_ms)}</p>
        </div>
        <StatusBadge status={d.status} />
      </div>

      <div class="cols">
        <div class="col-main">
          <h2>{t('advice.title')}</h2>
          {open.length === 0 && <p class="empty">{t('advice.none')}</p>}
          {open.map((c, i) => <AdviceCard key={c.key} card={c} onAction={onAdvice} folded={i > 0} />)}
          {[...tips, ...closed].map((c) => <AdviceCard key={c.key} card={c} onAction={onAdvice} folded />)}

          <h2>{t('device.alerts')}</h2>
          {d.alerts.length === 0 ? <p class="empty">{t('device.noalerts')}</p> : (
            <>
              <ul class="alerts">{(allAlerts ? d.alerts : d.alerts.slice(0, ALERTS_SHOWN)).map((a) => <AlertItem key={a.id} alert={a} href={hrefAlert(d.mac, a.id)} compact />)}</ul>
              {d.alerts.length > ALERTS_SHOWN && !allAlerts && (
                <button type="button" onClick={() => setAllAlerts(true)}>{t('device.alerts.all').replace('{n}', String(d.alerts.length))}</button>
              )}
            </>
          )}

          <h2>{useDay ? t('device.traffic.day') : t('device.traffic')}</h2>
          {useDay
            ? <TrafficChart points={day} stepMs={history!.bucket_ms} title={t('device.traffic.day')} />
            : <TrafficChart points={minutes} stepMs={60_000} title={t('device.traffic')} />}

          <h2>{t('history.title')}</h2>
          {history ? <HistoryPanel mac={d.mac} view={history} /> : <p class="empty">{t('history.none')}</p>}
        </div>

        <aside class="col-side">
          {d.ask && <WhatIsThis device={d} {...answer} />}
          <div class="card">
            <h2>{t('device.identity')}</h2>
            <dl class="facts">
              <dt>{t('device.vendor')}</dt><dd>{d.vendor ?? unknown}</dd>
              <dt>{t('device.model')}</dt><dd class="model">{d.model ? whole(d.model) : unknown}</dd>
              <dt>{t('device.kind')}</dt><dd>{t(`kind.${d.category}`)}</dd>
              {d.hostname && <><dt>{t('device.hostname')}</dt><dd class="hostile">{d.hostname}</dd></>}
              {d.ips.length > 0 && <><dt>{t('device.addresses')}</dt><dd><ul class="addrs">{d.ips.map((x) => <li class="mono">{x}</li>)}</ul></dd></>}
              <dt>{t('device.confidence')}</dt><dd><meter min={0} max={1} value={d.confidence} aria-label={t('device.confidence')} /> {Math.round(d.confidence * 100)}%</dd>
              <dt>{t('device.firstseen')}</dt><dd>{when(d.first_seen_ms)}</dd>
            </dl>
            {d.private_mac && <p class="muted small">{t('device.private_mac')}</p>}
            <h3>{t('device.why')}</h3>
            {d.evidence.length === 0 ? <p class="empty">{t('device.noevidence')}</p> : (
              <>
                <ul class="evidence">{d.evidence.slice(0, EVIDENCE_SHOWN).map(evidence)}</ul>
                {d.evidence.length > EVIDENCE_SHOWN && (
                  <details><summary>{t('device.why.more').replace('{n}', String(d.evidence.length))}</summary>
                    <ul class="evidence">{d.evidence.slice(EVIDENCE_SHOWN).map(evidence)}</ul></details>
                )}
              </>
            )}
            <details class="technical">
              <summary>{t('device.technical')}</summary>
              <dl class="facts">
                <dt>{t('device.addresses')}</dt><dd><ul class="addrs">{[d.mac, ...d.ipv6].map((x) => <li class="mono" title={x}>{x}</li>)}</ul></dd>
                {d.evidence.some((e) => e.source !== 'user') && <><dt>{t('device.clues')}</dt><dd><ul class="evidence small">{d.evidence.filter((e) => e.source !== 'user').map((e) => <li><span class="src">{e.source}</span> <span class="mono">{e.detail}</span></li>)}</ul></dd></>}
                {d.seen_as.length > 1 && <><dt>{t('device.seen_as')}</dt><dd><ul class="addrs">{d.seen_as.map((x) => <li class="mono">{x}</li>)}</ul><span class="muted small">{t('device.seen_as.note')}</span></dd></>}
              </dl>
            </details>
          </div>
          {!d.ask && <WhatIsThis device={d} {...answer} />}
          <ActPanel view={actView.value?.device.mac === d.mac ? actView.value : null} busy={actBusy.value} error={actError.value}
            onQuarantine={() => void quarantine(d.mac)} onLift={() => void lift(d.mac)}
            onPause={(until) => void pause(d.mac, until)} onResume={() => void resume(d.mac)} />
          <form class="card rename" onSubmit={(e) => { e.preventDefault(); onRename(d.mac, name.trim() || null); }}>
            <label for="rn">{t('device.rename')}</label>
            <input id="rn" maxLength={64} value={name} placeholder={d.name ?? d.label} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
            <div class="actions">
              <button type="submit" class="primary">{t('device.rename.save')}</button>
              {d.user_name && <button type="button" onClick={() => onRename(d.mac, null)}>{t('device.rename.clear')}</button>}
            </div>
          </form>
        </aside>
      </div>
    </section>
  );
}
