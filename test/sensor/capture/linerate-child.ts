// Child process for the line-rate test: runs inside the test's network namespace (ip netns exec),
// feeds a live capture through the real Pipeline and reports, when told to stop on stdin, what was
// counted and what was dropped, plus the loss sensor_stats reported while the capture ran.
import { createInterface } from 'node:readline';
import { openLive } from '../../../sensor/capture/live.js';
import { Pipeline } from '../../../sensor/pipeline.js';

interface Args {
  iface: string;
  filter: string;
  backend?: 'pcap' | 'tcpdump';
  bufferSize?: number;
  immediate?: boolean;
  /** Busy-wait this many microseconds per frame: a consumer slower than the sender, so frames must be lost. */
  slowUs?: number;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as Args;
  let src;
  try {
    src = await openLive({ iface: args.iface, filter: args.filter, backend: args.backend ?? 'pcap', snaplen: 65535, bufferSize: args.bufferSize, immediate: args.immediate });
  } catch (err) {
    console.log(JSON.stringify({ openError: err instanceof Error ? err.message : String(err) }));
    return;
  }
  let statsDroppedLive = 0;
  let stopping = false;
  const pipeline = new Pipeline({
    sinks: [(e) => {
      if (e.type === 'sensor_stats' && !stopping && (e.dropped ?? 0) > statsDroppedLive) statsDroppedLive = e.dropped ?? 0;
    }],
  });
  console.log(JSON.stringify({ ready: true, backend: src.backend }));
  createInterface({ input: process.stdin }).on('line', (l) => {
    if (l.trim() === 'stop') { stopping = true; void src.close(); }
  });
  const slow = args.slowUs ?? 0;
  for await (const batch of src) {
    pipeline.dropped = src.stats.dropped;
    pipeline.push(batch);
    if (slow > 0) {
      const until = performance.now() + (slow * batch.length) / 1000;
      while (performance.now() < until);
    }
  }
  pipeline.dropped = src.stats.dropped;
  pipeline.finish();
  console.log(JSON.stringify({ done: true, counted: pipeline.stats.packets, frames: src.stats.frames, dropped: src.stats.dropped, statsDroppedLive }));
}

void main();
