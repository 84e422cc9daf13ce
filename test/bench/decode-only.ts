// Benchmark entry: merge captures, or time decode-only / pipeline-only passes over one capture.
import { openCaptureFile } from '../../sensor/capture/file.js';
import { decodeFrameAt } from '../../sensor/decode/dispatch.js';
import { Packet } from '../../sensor/decode/packet.js';
import { mergeCaptures } from './merge.js';
import { writeBulk } from './bulk.js';
import { writeSynScan } from './synscan.js';
import { Pipeline } from '../../sensor/pipeline.js';

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'bulk') {
  const [out, count] = rest;
  const r = await writeBulk(out, Number(count));
  console.log(JSON.stringify(r));
} else if (mode === 'synscan') {
  const [out, count] = rest;
  console.log(JSON.stringify(await writeSynScan(out, Number(count))));
} else if (mode === 'merge') {
  const [out, size, ...inputs] = rest;
  const r = await mergeCaptures(inputs, out, Number(size));
  console.log(JSON.stringify(r));
} else if (mode === 'pipeline') {
  // Pipeline with no consumer: decode + flows + protocol parsers + counters, events built and dropped.
  let events = 0;
  const pipeline = new Pipeline({ sinks: [() => { events++; }] });
  const t0 = process.hrtime.bigint();
  for await (const batch of openCaptureFile(rest[0])) pipeline.push(batch);
  pipeline.finish();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage();
  console.log(JSON.stringify({ frames: pipeline.stats.packets, events, seconds: s, cpu_s: (cpu.user + cpu.system) / 1e6, maxrss_kb: process.resourceUsage().maxRSS }));
} else {
  const p = new Packet();
  let frames = 0;
  let ok = 0;
  const t0 = process.hrtime.bigint();
  const src = openCaptureFile(rest[0]);
  for await (const batch of src) {
    const data = batch.data;
    for (let i = 0; i < batch.length; i++) {
      p.reset();
      p.data = data;
      const o = batch.off[i];
      if (decodeFrameAt(data, o, o + batch.caplen[i], batch.linktype[i], p) === 0) ok++;
      frames++;
    }
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ frames, ok, seconds: s, maxrss_kb: process.resourceUsage().maxRSS }));
}
