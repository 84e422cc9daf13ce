#!/usr/bin/env node
// Prints the device inventory that analyze builds from captures (one line per device, evidence with -v):
// a quick look at identification on captures without labels.
// Usage: node test/eval/devices.mjs [-v] FILE...   (each file analysed on its own unless --together)
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAnalyzeModule } from './analyze-module.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const verbose = args.includes('-v');
const together = args.includes('--together');
const files = args.filter((a) => !a.startsWith('-'));
const { module: { analyzeFiles }, tmp } = await loadAnalyzeModule(root, 'wk-dev-');
rmSync(tmp, { recursive: true, force: true });
for (const group of together ? [files] : files.map((f) => [f])) {
  const r = await analyzeFiles(group, { ruleDirs: [] });
  console.log(`== ${group.map((f) => path.basename(f)).join(' ')}: ${r.devices.length} device(s)`);
  for (const d of r.devices) {
    console.log(`  ${d.mac} ${(d.ips[0] ?? '').padEnd(15)} ${String(d.name).padEnd(40)} conf=${d.confidence} host=${d.hostname ?? ''}`);
    if (verbose) for (const e of d.evidence) console.log(`      ${e.source.padEnd(5)} w=${e.weight ?? ''} ${e.detail}${e.vendor ? ' -> ' + e.vendor : ''}${e.model ? ' model ' + e.model : ''}${e.category ? ' [' + e.category + ']' : ''}`);
  }
}
