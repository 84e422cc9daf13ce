// How late the event loop runs what is due (perf_hooks' event-loop delay histogram, from the moment the
// daemon listens): a long synchronous stretch (a store save, a cold cache, a slice of capture) shows here
// as the wait every dashboard request and every captured frame had behind it. /metrics reports it.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';

let histogram: IntervalHistogram | null = null;
/** Sampling interval (ms). The histogram holds the time between samples: the delay is what exceeds this. */
const RESOLUTION_MS = 10;

/** Starts measuring (once per process; later calls keep the running histogram). */
export function startLoopDelay(): void {
  if (histogram) return;
  // A stall of 300 ms records one sample of ~310 ms.
  histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
}

export interface LoopDelay {
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  samples: number;
}

/** Since startLoopDelay(); null when it was not started (in-process tests). */
export function loopDelay(): LoopDelay | null {
  if (!histogram || histogram.count === 0) return null;
  const late = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  return { p50_ms: late(histogram.percentile(50)), p99_ms: late(histogram.percentile(99)), max_ms: late(histogram.max), samples: histogram.count };
}
