// Replays a capture file as a frame source: as fast as it reads, or paced by frame time, in a loop with time moving forward.
import type { FrameBatch, FrameSource, SourceStats } from '../../sensor/capture/frame.js';
import { newSourceStats } from '../../sensor/capture/frame.js';

export interface ReplayOptions {
  /** Pace batches by frame timestamps against the wall clock. */
  realtime: boolean;
  loop: boolean;
  /** Shift capture time so the first frame is "now" (realtime demo: "last seen 2 min ago" reads right). */
  startAtNow: boolean;
  /** Pause between laps, capture time (µs). */
  lapGapUs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Wraps a factory of file sources. Each lap reopens the file (no frames held in memory) and adds
 * an offset to every ts so capture time stays monotonic across laps (rule windows and
 * "last seen" must never go backwards).
 */
export class ReplaySource implements FrameSource {
  readonly name: string;
  laps = 0;
  private current: FrameSource | null = null;
  private closed = false;
  private readonly total: SourceStats = newSourceStats();
  private wake: (() => void) | null = null;

  constructor(private readonly open: () => FrameSource, name: string, private readonly opts: ReplayOptions) {
    this.name = name;
  }

  get stats(): SourceStats {
    const s = this.current?.stats;
    return {
      frames: this.total.frames + (s?.frames ?? 0), bytes: this.total.bytes + (s?.bytes ?? 0),
      bad_records: this.total.bad_records + (s?.bad_records ?? 0), dropped: null, error: s?.error ?? this.total.error,
    };
  }

  close(): void {
    this.closed = true;
    void this.current?.close();
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.opts.sleep) return this.opts.sleep(ms);
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.wake = null; resolve(); }, ms);
      this.wake = () => { clearTimeout(t); this.wake = null; resolve(); };
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FrameBatch> {
    const now = this.opts.now ?? Date.now;
    const gap = this.opts.lapGapUs ?? 1_000_000;
    let offset: number | null = null; // µs added to every frame ts
    let lastOut = -Infinity;
    // Realtime: wall ms at which capture time `anchorTs` (after offset) is due.
    let anchorWall = 0;
    let anchorTs = 0;
    while (!this.closed) {
      const src = this.open();
      this.current = src;
      let lapFirst: number | null = null;
      let frames = 0;
      for await (const batch of src) {
        if (this.closed) break;
        if (batch.length === 0) continue;
        const times = batch.ts;
        if (offset === null) {
          offset = this.opts.startAtNow ? now() * 1000 - times[0] : 0;
          anchorWall = now();
          anchorTs = times[0] + offset;
        }
        if (lapFirst === null) {
          lapFirst = times[0];
          // Next lap starts a gap after the previous lap's last frame.
          if (lastOut !== -Infinity) {
            offset = lastOut + gap - lapFirst;
            if (this.opts.realtime) { anchorWall = now() + gap / 1000; anchorTs = lapFirst + offset; }
          }
        }
        let start = 0;
        for (let i = 0; i < batch.length; i++) {
          let ts = times[i] + offset;
          if (ts < lastOut) ts = lastOut; // out-of-order records within a capture: never step back
          times[i] = ts;
          lastOut = ts;
          frames++;
          if (this.opts.realtime) {
            const due = anchorWall + (ts - anchorTs) / 1000;
            const wait = due - now();
            if (wait > 5) {
              if (i > start) yield batch.slice(start, i);
              start = i;
              await this.sleep(wait);
              if (this.closed) return;
            }
          }
        }
        if (start < batch.length) yield start === 0 ? batch : batch.slice(start);
      }
      const s = src.stats;
      this.total.frames += s.frames; this.total.bytes += s.bytes; this.total.bad_records += s.bad_records;
      if (s.error) this.total.error = s.error;
      this.current = null;
      this.laps++;
      if (!this.opts.loop || frames === 0) break;
    }
  }
}
