// One advice card: what to do, why, the steps, where this maker's updates live, and the label questions.
import { t, when } from '../models/lang.js';
import type { AdviceCard as Card, Answer } from '../models/types.js';

export interface AdviceCardProps {
  card: Card;
  onAction: (key: string, action: 'done' | 'snooze' | 'reopen') => void;
}

function Ans({ a }: { a: Answer }) {
  return <span class={`ans ans-${a}`}>{t(`answer.${a}`)}</span>;
}

export function AdviceCard({ card, onAction }: AdviceCardProps) {
  const v = card.vendor;
  const headId = `adv-${card.advice}`;
  return (
    <article class={`advice advice-${card.status} state-${card.state}`} aria-labelledby={headId}>
      <h3 id={headId}>{card.title}</h3>
      {card.state === 'done' && <p class="state">✓ {t('advice.state.done')}</p>}
      {card.state === 'snoozed' && card.snoozed_until && <p class="state">{t('advice.state.snoozed')} {when(card.snoozed_until)}</p>}
      {card.state === 'open' && (
        <>
          <p>{card.why}</p>
          <ol class="steps">{card.steps.map((s) => <li>{s}</li>)}</ol>
          {v && (
            <div class="vendor">
              <h4>{t('advice.updates')}{v.vendor ? `: ${v.vendor}` : ''}</h4>
              <p>{v.where}</p>
              {v.updates_url && <p><a href={v.updates_url} rel="noopener noreferrer" target="_blank">{t('advice.updates.link')}</a></p>}
              <h4>{t('advice.label')}</h4>
              <dl class="label-q">
                <dt>{t('advice.label.auto')}</dt><dd><Ans a={v.auto_update} /></dd>
                <dt>{t('advice.label.security')}</dt><dd><Ans a={v.security_updates} /></dd>
                <dt>{t('advice.label.period')}</dt><dd>{v.support_period ?? <Ans a="unknown" />}</dd>
                <dt>{t('advice.label.offline')}</dt><dd><Ans a={v.works_offline} /></dd>
              </dl>
            </div>
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
    </article>
  );
}
