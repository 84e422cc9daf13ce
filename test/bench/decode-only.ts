// Benchmark entry: read a capture and decode every frame, nothing else (the decode-only rate).
import { openCaptureFile } from '../../sensor/capture/file.js';
import { decodeFrame } from '../../sensor/decode/dispatch.js';
import { Packet } from '../../sensor/decode/packet.js';
import { mergeCaptures } from './merge.js';

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'merge') {
  const [out, size, ...inputs] = rest;
  const r = await mergeCaptures(inputs, out, Number(size));
  console.log(JSON.stringify(r));
} else {
  const p = new Packet();
  let frames = 0;
  let ok = 0;
  const t0 = process.hrtime.bigint();
  const src = openCaptureFile(rest[0]);
  for await (const batch of src) {
    for (const f of batch) {
      p.reset();
      p.data = f.data;
      if (decodeFrame(f.data, f.linktype, p) === 0) ok++;
      frames++;
    }
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ frames, ok, seconds: s, maxrss_kb: process.resourceUsage().maxRSS }));
}
