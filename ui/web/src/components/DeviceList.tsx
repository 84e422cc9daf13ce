// The device list with search and a status filter; every name is rendered as text.
import { ago, t } from '../models/lang.js';
import { whole } from './Whole.js';
import { hrefDevice } from '../models/route.js';
import type { DeviceSummary, Status } from '../models/types.js';
import { KindIcon } from './KindIcon.js';
import { StatusBadge } from './StatusBadge.js';

export interface DeviceListProps {
  devices: DeviceSummary[];
  search: string;
  filter: Status | 'all';
  onSearch: (q: string) => void;
  onFilter: (s: Status | 'all') => void;
}

const FILTERS: (Status | 'all')[] = ['all', 'infected', 'exposed', 'update-advised', 'check', 'ok'];

export function DeviceList({ devices, search, filter, onSearch, onFilter }: DeviceListProps) {
  return (
    <section aria-labelledby="dl-h">
      <h1 id="dl-h">{t('nav.devices')}</h1>
      <div class="filters">
        <label class="sr-only" for="q">{t('list.search')}</label>
        <input id="q" type="search" placeholder={t('list.search')} value={search} onInput={(e) => onSearch((e.target as HTMLInputElement).value)} />
        <label for="f">{t('list.filter')}</label>
        <select id="f" value={filter} onChange={(e) => onFilter((e.target as HTMLSelectElement).value as Status | 'all')}>
          {FILTERS.map((f) => <option value={f}>{f === 'all' ? t('list.all') : t(`status.${f}`)}</option>)}
        </select>
      </div>
      {devices.length === 0 ? <p class="empty">{t('list.empty')}</p> : (
        <ul class="devices">
          {devices.map((d) => (
            <li key={d.mac}>
              <a href={hrefDevice(d.mac)} class={`dev dev-${d.status}`}>
                <KindIcon category={d.category} />
                <span class="dev-main">
                  <strong class="dev-name">{whole(d.label)}</strong>
                  <span class="muted">{[t(`kind.${d.category}`), d.vendor, d.model].filter(Boolean).join(' · ')}</span>
                  {d.ask && <span class="ask small">{t('whatis.title')}</span>}
                </span>
                <span class="dev-side">
                  <StatusBadge status={d.status} />
                  <span class="muted small">{t('list.lastseen')} {ago(d.last_seen_ms)}</span>
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
