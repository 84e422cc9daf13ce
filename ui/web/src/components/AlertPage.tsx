// One alert on its own page: what was seen, on which device, and the advice that answers it.
import { t } from '../models/lang.js';
import { hrefDevice } from '../models/route.js';
import { whole } from './Whole.js';
import type { DeviceDetail } from '../models/types.js';
import { AdviceCard } from './AdviceCard.js';
import { AlertItem } from './AlertItem.js';
import { KindIcon } from './KindIcon.js';
import { StatusBadge } from './StatusBadge.js';

export interface AlertPageProps {
  device: DeviceDetail | null;
  id: string;
  missing: boolean;
  onAdvice: (key: string, action: 'done' | 'snooze' | 'reopen') => void;
}

export function AlertPage({ device: d, id, missing, onAdvice }: AlertPageProps) {
  if (!d) return <section><p><a href="#/devices">← {t('device.back')}</a></p>{missing && <p class="empty">{t('device.notfound')}</p>}</section>;
  const a = d.alerts.find((x) => x.id === id);
  const back = <p><a href={hrefDevice(d.mac)}>← {t('alert.back').replace('{device}', d.label)}</a></p>;
  if (!a) return <section>{back}<p class="empty">{t('alert.notfound')}</p></section>;
  const cards = d.advice.filter((c) => c.alerts.includes(a.id));
  return (
    <section aria-labelledby="al-h" class="alert-view">
      {back}
      <AlertItem alert={a} page />
      <a class={`dev dev-${d.status}`} href={hrefDevice(d.mac)}>
        <KindIcon category={d.category} />
        <span class="dev-main"><strong class="dev-name">{whole(d.label)}</strong><span class="muted">{t(`kind.${d.category}`)}</span></span>
        <span class="dev-side"><StatusBadge status={d.status} /></span>
      </a>
      {cards.length > 0 && <h2>{t('alert.advice')}</h2>}
      {cards.map((c) => <AdviceCard key={c.key} card={c} onAction={onAdvice} />)}
    </section>
  );
}
