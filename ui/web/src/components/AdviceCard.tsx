// One advice card: what to do, why, the steps, where this maker's updates live, and the label questions.
import { t, when } from '../models/lang.js';
import { whole } from './Whole.js';
import type { AdviceCard as Card, Answer } from '../models/types.js';

export interface AdviceCardProps {
  card: Card;
  onAction: (key: string, action: 'done' | 'snooze' | 'reopen') => void;
  /** Folded to its title (opened with a click): every card after the most urgent one, and the tips. */
  folded?: boolean;
}

function Ans({ a }: { a: Answer }) {
  return <span class={`ans ans-${a}`}>{t(`answer.${a}`)}</span>;
}

export function AdviceCard({ card, onAction, folded }: AdviceCardProps) {
  const v = card.vendor;
  const headId = `adv-${card.advice}`;
  const cls = `advice advice-${card.quiet ? 'quiet' : card.status} state-${card.state}`;
  const head = <h3 id={headId}>{whole(card.title)}</h3>;
  const body = (
    <>
      {card.state === 'done' && <p class="state">✓ {t('advice.state.done')}</p>}
      {card.state === 'snoozed' && card.snoozed_until && <p class="state">{t('advice.state.snoozed')} {when(card.snoozed_until)}</p>}
      {card.state === 'open' && (
        <>
          {card.reason && <p class="reason">{card.reason}</p>}
          <p>{card.why}</p>
          <ol class="steps">{card.steps.map((s) => <li>{s}</li>)}</ol>
          {v && (
            // Where the updates live and the label questions: folded, the steps come first.
            <details class="vendor">
              <summary><h4>{t('advice.updates')}{v.vendor ? `: ${v.vendor}` : ''}</h4></summary>
              <p>{v.where}</p>
              {v.updates_url && <p><a href={v.updates_url} rel="noopener noreferrer" target="_blank">{t('advice.updates.link')}</a></p>}
              <h4>{t('advice.label')}</h4>
              <dl class="label-q">
                <dt>{t('advice.label.auto')}</dt><dd><Ans a={v.auto_update} /></dd>
                <dt>{t('advice.label.security')}</dt><dd><Ans a={v.security_updates} /></dd>
                <dt>{t('advice.label.period')}</dt><dd>{v.support_period ?? <Ans a="unknown" />}</dd>
                <dt>{t('advice.label.offline')}</dt><dd><Ans a={v.works_offline} /></dd>
              </dl>
            </details>
          )}
        </>
      )}
      <div class="actions">
        {card.state === 'open' ? (
          <>
            <button type="button" class="primary" onClick={() => onAction(card.key, 'done')}>{t('advice.done')}</button>
            <button type="button" onClick={() => onAction(card.key, 'snooze')}>{t('advice.snooze')}</button>
          </>
        ) : <button type="button" onClick={() => onAction(card.key, 'reopen')}>{t('advice.reopen')}</button>}
      </div>
    </>
  );
  if (folded) return <details class={`${cls} fold`} aria-labelledby={headId}><summary>{head}</summary>{body}</details>;
  return <article class={cls} aria-labelledby={headId}>{head}{body}</article>;
}
