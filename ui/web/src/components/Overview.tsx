// The overview: how many devices, how many need something, and one line per such device with its most urgent thing to do.
import { ago, t } from '../models/lang.js';
import { whole } from './Whole.js';
import { hrefDevice } from '../models/route.js';
import type { Action, DeviceSummary } from '../models/types.js';
import { KindIcon } from './KindIcon.js';
import { StatusBadge } from './StatusBadge.js';

export interface OverviewProps {
  total: number;
  /** Devices that need something (each counted once, however many things). */
  attention: number;
  infected: number;
  /** One entry per device: its most urgent open action, and how many more are on its page. */
  todo: (Action & { device: DeviceSummary; more: number })[];
  /** Devices with only a quiet "doe je updates" tip. */
  tips: DeviceSummary[];
}

export function Overview({ total, attention, infected, todo, tips }: OverviewProps) {
  return (
    <section aria-labelledby="ov-h">
      <h1 id="ov-h" class="sr-only">{t('nav.overview')}</h1>
      <div class="stats">
        <a class="stat" href="#/devices"><span class="num">{total}</span>{t('overview.devices')}</a>
        <div class={attention ? 'stat warn' : 'stat'}><span class="num">{attention}</span>{t(attention === 1 ? 'overview.attention.one' : 'overview.attention')}</div>
        <div class={infected ? 'stat bad' : 'stat'}><span class="num">{infected}</span>{t('overview.infected')}</div>
      </div>
      <h2>{t('overview.todo')}</h2>
      {todo.length === 0 ? <p class="empty">{t('overview.nothing')}</p> : (
        <ol class="todo">
          {todo.map((a) => (
            <li key={a.device.mac} class={`todo-${a.status}`}>
              <a href={hrefDevice(a.device.mac)}>
                <KindIcon category={a.device.category} />
                <span class="todo-text">
                  <strong>{whole(a.title)}</strong>
                  <span class="muted">{a.device.label} · {ago(a.device.last_seen_ms)}</span>
                  {a.reason && <span class="small">{a.reason}</span>}
                  {a.more > 0 && <span class="muted small">{t(a.more === 1 ? 'overview.more.one' : 'overview.more').replace('{n}', String(a.more))}</span>}
                </span>
                <StatusBadge status={a.device.status} />
              </a>
            </li>
          ))}
        </ol>
      )}
      {tips.length > 0 && (
        <p class="tip small">
          <span class="tip-label">{t('overview.tip')}</span>{' '}
          {tips.map((d, i) => <>{i > 0 && ', '}<a href={hrefDevice(d.mac)}>{d.label}</a></>)}
        </p>
      )}
    </section>
  );
}
