// The overview: how many devices, how many need attention, and the most urgent things to do first.
import { t, ago } from '../models/lang.js';
import { hrefDevice } from '../models/route.js';
import type { Action, DeviceSummary } from '../models/types.js';
import { KindIcon } from './KindIcon.js';
import { StatusBadge } from './StatusBadge.js';

export interface OverviewProps {
  total: number;
  attention: number;
  infected: number;
  todo: (Action & { device: DeviceSummary })[];
}

export function Overview({ total, attention, infected, todo }: OverviewProps) {
  return (
    <section aria-labelledby="ov-h">
      <h1 id="ov-h" class="sr-only">{t('nav.overview')}</h1>
      <div class="stats">
        <a class="stat" href="#/devices"><span class="num">{total}</span>{t('overview.devices')}</a>
        <div class={attention ? 'stat warn' : 'stat'}><span class="num">{attention}</span>{t('overview.attention')}</div>
        <div class={infected ? 'stat bad' : 'stat'}><span class="num">{infected}</span>{t('overview.infected')}</div>
      </div>
      <h2>{t('overview.todo')}</h2>
      {todo.length === 0 ? <p class="empty">{t('overview.nothing')}</p> : (
        <ol class="todo">
          {todo.slice(0, 12).map((a) => (
            <li key={a.key} class={`todo-${a.status}`}>
              <a href={hrefDevice(a.device.mac)}>
                <KindIcon category={a.device.category} />
                <span class="todo-text">
                  <strong>{a.title}</strong>
                  <span class="muted">{a.device.label} · {ago(a.device.last_seen_ms)}</span>
                </span>
                <StatusBadge status={a.status} />
              </a>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
