// Pipeline CPU per pass over a capture held in memory (file reading left out of the timing), median of N
// passes: how the per-packet cost of the pipeline and its protocol rooms was measured for issue #11.
// Usage (bundled like test/bench/bench.mjs does):
//   npx esbuild test/sensor/pipeline-cpu.ts --bundle --platform=node --format=esm --outfile=/tmp/pcpu.mjs \
//     --banner:js="import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);"
//   node /tmp/pcpu.mjs CAPTURE [passes=7]
// Captures: `node <bundled test/bench/decode-only.ts> merge OUT 134217728 <../shared/pcaps files>` and `... bulk OUT 300000`.
import { openCaptureFile } from '../../sensor/capture/file.js';
import type { Frame } from '../../sensor/capture/frame.js';
import { Pipeline } from '../../sensor/pipeline.js';

const frames: Frame[] = [];
for await (const batch of openCaptureFile(process.argv[2])) for (const f of batch) frames.push({ ...f, data: f.data.slice() });
const passes = Number(process.argv[3] ?? 7);
const cpu: number[] = [];
let events = 0;
for (let r = 0; r < passes; r++) {
  events = 0;
  const p = new Pipeline({ sinks: [() => { events++; }] });
  const c0 = process.cpuUsage();
  for (let i = 0; i < frames.length; i += 256) p.push(frames.slice(i, i + 256));
  p.finish();
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1e3);
}
cpu.sort((a, b) => a - b);
const median = cpu[passes >> 1];
console.log(JSON.stringify({ frames: frames.length, events, cpu_ms_median: Math.round(median), cpu_ms_min: Math.round(cpu[0]), ns_per_frame: Math.round((median * 1e6) / frames.length) }));
