// A small SVG chart of bytes sent and received per minute (no chart library: it would cost more than the rest).
import { t } from '../models/lang.js';
import type { TrafficPoint } from '../models/types.js';

const W = 600;
const H = 120;

function fmtBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

export function TrafficChart({ points }: { points: TrafficPoint[] }) {
  if (points.length === 0) return <p class="empty">{t('device.traffic.none')}</p>;
  const t0 = points[0][0];
  const t1 = Math.max(points[points.length - 1][0], t0 + 60_000);
  const max = Math.max(1, ...points.map((p) => Math.max(p[1], p[2])));
  const x = (ts: number) => ((ts - t0) / (t1 - t0)) * (W - 8) + 4;
  const y = (v: number) => H - 4 - (v / max) * (H - 18);
  const line = (i: 1 | 2) => points.map((p) => `${x(p[0]).toFixed(1)},${y(p[i]).toFixed(1)}`).join(' ');
  const totalOut = points.reduce((s, p) => s + p[1], 0);
  const totalIn = points.reduce((s, p) => s + p[2], 0);
  const summary = `${t('device.traffic.out')} ${fmtBytes(totalOut)}, ${t('device.traffic.in')} ${fmtBytes(totalIn)}`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${t('device.traffic')}: ${summary}`} preserveAspectRatio="none">
        <line x1="0" y1={H - 4} x2={W} y2={H - 4} class="axis" />
        <text x="4" y="11" class="max">{fmtBytes(max)}</text>
        <polyline points={line(2)} class="in" />
        <polyline points={line(1)} class="out" />
      </svg>
      <figcaption><span class="key out">■</span> {t('device.traffic.out')} {fmtBytes(totalOut)} <span class="key in">■</span> {t('device.traffic.in')} {fmtBytes(totalIn)}</figcaption>
    </figure>
  );
}
