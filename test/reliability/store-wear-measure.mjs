// Flash wear of the daemon's saves: runs `waakhond run` (the demo, real time, looping) for SECONDS with a fresh data
// folder, watches the store and connection-log files every 100 ms and counts each new version's bytes, then stops it
// with SIGTERM. Prints bytes per save, saves and bytes per hour. Not a test (minutes of wall time); run by hand:
//   npm run build && node test/reliability/store-wear-measure.mjs [SECONDS=180] [dist/waakhond.mjs]
import { spawn } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const seconds = Number(process.argv[2] ?? 180);
const entry = process.argv[3] ?? 'dist/waakhond.mjs';
const dir = mkdtempSync(path.join(tmpdir(), 'waakhond-wear-'));
const files = ['waakhond.json', 'connlog.bin', 'connlog.json'];
const child = spawn(process.execPath, [entry, 'run', '--host', '127.0.0.1', '--port', '0', '--data', dir],
  { env: { ...process.env, WAAKHOND_PASSWORD: 'wear-measure' }, stdio: ['ignore', 'ignore', 'pipe'] });
let log = '';
child.stderr.on('data', (b) => { log += b; });
const seen = new Map(files.map((f) => [f, { key: '', saves: 0, bytes: 0, last: 0 }]));
const poll = () => {
  for (const f of files) {
    let st;
    try { st = statSync(path.join(dir, f)); } catch { continue; }
    const s = seen.get(f);
    const key = `${st.ino}:${st.mtimeMs}:${st.size}`;
    if (key !== s.key) { s.key = key; s.saves++; s.bytes += st.size; s.last = st.size; }
  }
};
const t0 = Date.now();
const timer = setInterval(poll, 100);
await new Promise((res) => setTimeout(res, seconds * 1000));
child.kill('SIGTERM');
await new Promise((res) => child.once('exit', res));
poll();
clearInterval(timer);
const hours = (Date.now() - t0) / 3_600_000;
for (const [f, s] of seen) {
  if (!s.saves) continue;
  console.log(`${f}: ${s.saves} saves in ${(hours * 60).toFixed(1)} min, last ${s.last} bytes, ${s.bytes} bytes written = ${(s.bytes / hours / 1e6).toFixed(2)} MB/hour at this rate`);
}
const m = /connlog: (\d+) connections/.exec(log);
console.log(log.split('\n').filter((l) => /store:|connlog:|wear/.test(l)).slice(-8).join('\n'));
if (m) console.log(m[0]);
