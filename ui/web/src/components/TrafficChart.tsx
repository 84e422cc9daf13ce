// A small SVG chart of bytes sent and received over time, with a time axis (no chart library: it would cost more than the rest).
import { clock, t } from '../models/lang.js';

const W = 600;
const H = 120;
/** Axis labels: at most this many, on round minutes/hours. */
const TICKS = 5;
const STEPS_MS = [60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000, 3_600_000, 2 * 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000];

export function fmtBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

export interface TrafficChartProps {
  /** [start ms, bytes out, bytes in], oldest first. */
  points: [number, number, number][];
  /** Width of one point in ms (a minute, or a 15-minute bucket). */
  stepMs: number;
  title: string;
}

export function TrafficChart({ points, stepMs, title }: TrafficChartProps) {
  if (points.length === 0) return <p class="empty">{t('device.traffic.none')}</p>;
  const t0 = points[0][0];
  const t1 = Math.max(points[points.length - 1][0] + stepMs, t0 + 2 * stepMs);
  const max = Math.max(1, ...points.map((p) => Math.max(p[1], p[2])));
  const x = (ts: number) => ((ts - t0) / (t1 - t0)) * W;
  const y = (v: number) => H - 2 - (v / max) * (H - 16);
  // A point is drawn at the middle of its interval.
  const line = (i: 1 | 2) => points.map((p) => `${x(p[0] + stepMs / 2).toFixed(1)},${y(p[i]).toFixed(1)}`).join(' ');
  const totalOut = points.reduce((s, p) => s + p[1], 0);
  const totalIn = points.reduce((s, p) => s + p[2], 0);
  const summary = `${t('device.traffic.out')} ${fmtBytes(totalOut)}, ${t('device.traffic.in')} ${fmtBytes(totalIn)}`;
  const step = STEPS_MS.find((s) => (t1 - t0) / s <= TICKS) ?? 24 * 3_600_000;
  const ticks: number[] = [];
  for (let v = Math.ceil(t0 / step) * step; v <= t1; v += step) ticks.push(v);
  const withDay = t1 - t0 > 20 * 3_600_000;
  return (
    <figure class="chart">
      <div class="plot">
        <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${summary}`} preserveAspectRatio="none">
          <line x1="0" y1={H - 2} x2={W} y2={H - 2} class="axis" />
          {ticks.map((v) => <line x1={x(v)} y1="0" x2={x(v)} y2={H - 2} class="grid" />)}
          <polyline points={line(2)} class="in" />
          <polyline points={line(1)} class="out" />
        </svg>
        <span class="max">{fmtBytes(max)}</span>
      </div>
      <div class="xaxis" aria-label={t('device.traffic.time')}>
        {ticks.map((v) => <span style={{ left: `${(x(v) / W) * 100}%` }}>{clock(v, withDay)}</span>)}
      </div>
      <figcaption><span class="key out">■</span> {t('device.traffic.out')} {fmtBytes(totalOut)} <span class="key in">■</span> {t('device.traffic.in')} {fmtBytes(totalIn)}</figcaption>
    </figure>
  );
}
