// Capture loss reaches sensor_stats when it happens: a rise in the source's drop count is reported at
// the next packet (at most once a second of capture time), not only at the minute's regular report.
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../sensor/capture/frame.js';
import type { SensorStatsEvent, WaakhondEvent } from '../../sensor/events.js';
import { Pipeline } from '../../sensor/pipeline.js';

const frame = (ts: number): Frame => ({ ts, len: 60, data: new Uint8Array(60), linktype: 1, iface: 0 });

describe('pipeline: source drops in sensor_stats', () => {
  it('reports a rise at once, then at most once a second, and nothing while the count stands still', () => {
    const stats: SensorStatsEvent[] = [];
    const p = new Pipeline({ sinks: [(e: WaakhondEvent) => { if (e.type === 'sensor_stats') stats.push(e); }] });
    const t0 = 1_700_000_000_000_000;
    p.dropped = 0;
    p.push([frame(t0), frame(t0 + 10)]);
    expect(stats).toEqual([]); // no loss: the regular report comes after a minute
    p.dropped = 5;
    p.push([frame(t0 + 20)]);
    expect(stats.map((s) => s.dropped)).toEqual([5]);
    p.dropped = 9;
    p.push([frame(t0 + 500_000)]); // within the second: held back
    expect(stats.map((s) => s.dropped)).toEqual([5]);
    p.push([frame(t0 + 1_000_030)]);
    expect(stats.map((s) => s.dropped)).toEqual([5, 9]);
    p.push([frame(t0 + 3_000_000), frame(t0 + 5_000_000)]);
    expect(stats.map((s) => s.dropped)).toEqual([5, 9]);
    p.dropped = 12;
    p.tick(t0 + 6_000_000); // an idle live capture: the tick reports it
    expect(stats.map((s) => s.dropped)).toEqual([5, 9, 12]);
    p.finish();
    expect(stats.at(-1)).toMatchObject({ dropped: 12, packets: 7 });
  });

  it('an empty batch (a live source telling of drops while no packet comes) reports a rise at once, stamped with the last capture time', () => {
    const stats: SensorStatsEvent[] = [];
    const p = new Pipeline({ sinks: [(e: WaakhondEvent) => { if (e.type === 'sensor_stats') stats.push(e); }] });
    const t0 = 1_700_000_000_000_000;
    p.dropped = 0;
    p.push([]); // nothing captured yet: nothing to stamp a report with
    expect(stats).toEqual([]);
    p.push([frame(t0)]);
    p.dropped = 3;
    p.push([frame(t0 + 10)]);
    expect(stats.map((s) => [s.dropped, s.ts])).toEqual([[3, t0 + 10]]);
    p.dropped = 40;
    p.push([]);
    expect(stats.map((s) => [s.dropped, s.ts])).toEqual([[3, t0 + 10], [40, t0 + 10]]);
    p.push([]); // no rise: no report
    expect(stats).toHaveLength(2);
  });

  it('a file source (no drop count) gets only the regular reports', () => {
    const stats: SensorStatsEvent[] = [];
    const p = new Pipeline({ sinks: [(e: WaakhondEvent) => { if (e.type === 'sensor_stats') stats.push(e); }] });
    for (let i = 0; i < 100; i++) p.push([frame(1e15 + i * 100_000)]);
    expect(stats).toEqual([]);
  });
});
