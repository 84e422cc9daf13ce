// The store's save on its own: how far one Store.flush() of a household-sized store (~3.5 MB of JSON; see
// store-save-child.ts) lifts the peak resident size, and how long it takes, in a child with the launchers' V8
// flags (memory.mjs). Medians of --runs children. The machine's other load moves the times, not the memory.
// Usage: node test/bench/store-save.mjs [--runs 3] [--flushes 10] [--nofsync]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAUNCHER_NODE_ARGS } from './memory.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const num = (flag, dflt) => (argv.includes(flag) ? Number(argv[argv.indexOf(flag) + 1]) : dflt);
const runs = num('--runs', 3);
const flushes = num('--flushes', 10);
const tmp = mkdtempSync(path.join(tmpdir(), 'waakhond-bench-store-'));
const child = path.join(tmp, 'store-save-child.mjs');
await build({ entryPoints: [path.join(root, 'test', 'bench', 'store-save-child.ts')], outfile: child, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const out = [];
try {
  for (let r = 0; r < runs; r++) {
    const p = spawnSync(process.execPath, [...LAUNCHER_NODE_ARGS, child, String(flushes), argv.includes('--nofsync') ? 'nofsync' : 'fsync'],
      { env: { ...process.env, MALLOC_MMAP_THRESHOLD_: '131072' }, encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`store-save child failed (${p.status}):\n${p.stderr}`);
    out.push(JSON.parse(p.stdout.trim().split('\n').pop()));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const rise = median(out.map((o) => o.peak_rise_mb));
const ms = median(out.map((o) => median(o.flush_ms)));
console.log(`store save: ${(out[0].bytes / 1e6).toFixed(2)} MB of JSON; peak resident size +${rise.toFixed(1)} MB over ${median(out.map((o) => o.rss_before_mb)).toFixed(0)} MB; ${ms.toFixed(1)} ms per flush (medians of ${runs} runs x ${flushes} flushes; runs: ${out.map((o) => `+${o.peak_rise_mb.toFixed(1)}`).join(' ')} MB)`);
