// The device status as a coloured badge with words (colour is never the only signal).
import { t } from '../models/lang.js';
import type { Status } from '../models/types.js';

export function StatusBadge({ status }: { status: Status }) {
  return <span class={`badge badge-${status}`}>{t(`status.${status}`)}</span>;
}
