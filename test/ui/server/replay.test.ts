// Replay: laps keep capture time moving forward; real-time pacing follows frame timestamps.
import { describe, expect, it } from 'vitest';
import { ReplaySource } from '../../../ui/server/replay.js';
import type { Frame, FrameSource } from '../../../sensor/capture/frame.js';
import { FrameBatch, newSourceStats } from '../../../sensor/capture/frame.js';

/** A file-like source: frames at the given capture times (µs), in batches of `batch`. */
function fake(ts: number[], batch = 2): () => FrameSource {
  return () => {
    const stats = newSourceStats();
    return {
      name: 'fake', stats, close() {},
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < ts.length; i += batch) {
          const frames: Frame[] = ts.slice(i, i + batch).map((t) => ({ ts: t, len: 60, data: new Uint8Array(60), linktype: 1, iface: 0 }));
          stats.frames += frames.length;
          yield FrameBatch.fromFrames(frames);
        }
      },
    };
  };
}

async function collect(src: FrameSource, max: number): Promise<number[]> {
  const out: number[] = [];
  for await (const b of src) {
    for (const f of b) out.push(f.ts);
    if (out.length >= max) { await src.close(); break; }
  }
  return out;
}

describe('ReplaySource', () => {
  it('loops with capture time strictly after the previous lap, a gap between laps', async () => {
    const base = 1_600_000_000_000_000;
    const src = new ReplaySource(fake([base, base + 1e6, base + 5e6, base + 9e6]), 'x', { realtime: false, loop: true, startAtNow: false, lapGapUs: 1e6 });
    const ts = await collect(src, 12);
    expect(ts.slice(0, 4)).toEqual([base, base + 1e6, base + 5e6, base + 9e6]);
    expect(ts.slice(4, 8)).toEqual([base + 10e6, base + 11e6, base + 15e6, base + 19e6]);
    expect(ts[8]).toBe(base + 20e6);
    for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeGreaterThan(ts[i - 1]);
    expect(src.laps).toBeGreaterThanOrEqual(2);
  });

  it('never steps back on out-of-order records', async () => {
    const src = new ReplaySource(fake([100, 300, 200, 400]), 'x', { realtime: false, loop: false, startAtNow: false });
    expect(await collect(src, 10)).toEqual([100, 300, 300, 400]);
  });

  it('real time: waits as long as the capture took, starting at now', async () => {
    let clock = 5_000_000; // ms
    const sleeps: number[] = [];
    const src = new ReplaySource(fake([0, 2e6, 2.5e6, 10e6], 1), 'x', {
      realtime: true, loop: false, startAtNow: true, now: () => clock,
      sleep: async (ms) => { sleeps.push(ms); clock += ms; },
    });
    const ts = await collect(src, 10);
    expect(ts[0]).toBe(5_000_000 * 1000);
    expect(ts[3] - ts[0]).toBe(10e6);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(sleeps).toEqual([2000, 500, 7500]);
  });
});
