#!/usr/bin/env node
// Identification accuracy on the IoT Sentinel setup captures: runs each labelled device's captures
// through analyze and compares vendor, category and model with ../shared/pcaps/iot-sentinel/labels.json.
//
// Usage: node test/eval/identify.mjs [--json] [--first N] [--verbose] [--cli] [DIR...]
//   --first N   only the first N captures of each device (identity must be there early)
//   --cli       run the built CLI (node dist/waakhond.mjs analyze --json FILES) instead of bundling analyze
//   DIR         only these device directories
// Scoring follows labels.json "about": vendor right if any vendor_accept string is in the reported
// vendor (lower-case); model right if any model token is in the reported model (lower-case), counted
// over devices with model tokens; category must be equal.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadAnalyzeModule } from './analyze-module.mjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = process.env.WAAKHOND_SHARED ?? path.resolve(root, '..', 'shared');
const base = path.join(shared, 'pcaps', 'iot-sentinel');
const args = process.argv.slice(2);
const json = args.includes('--json');
const verbose = args.includes('--verbose');
const firstIdx = args.indexOf('--first');
const first = firstIdx >= 0 ? Number(args[firstIdx + 1]) : Infinity;
const useCli = args.includes('--cli');
const only = args.filter((a, i) => !a.startsWith('--') && (firstIdx < 0 || i !== firstIdx + 1));

if (!existsSync(path.join(base, 'labels.json'))) {
  console.error(`identify: no labels at ${base}/labels.json (set WAAKHOND_SHARED)`);
  process.exit(2);
}
if (!existsSync(path.join(root, 'dist', 'data', 'oui.txt'))) {
  // The OUI table is a build product: make it like the build does.
  const { spawnSync } = await import('node:child_process');
  spawnSync(process.execPath, [path.join(root, 'firmware-scripts', 'oui', 'build-oui.mjs'), '--quiet'], { cwd: root, stdio: 'inherit' });
}

let analyzeFiles;
if (useCli) {
  const { spawnSync } = await import('node:child_process');
  const cli = path.join(root, 'dist', 'waakhond.mjs');
  analyzeFiles = async (files) => {
    const r = spawnSync(process.execPath, [cli, 'analyze', '--json', ...files], { cwd: root, maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0 && !r.stdout.length) throw new Error(`${cli} analyze failed: ${r.stderr}`);
    return JSON.parse(r.stdout.toString());
  };
} else {
  // Bundle the analyze entry point (TypeScript) to a temporary module, the way the CLI bundle is built.
  const { module: mod, tmp } = await loadAnalyzeModule(root);
  rmSync(tmp, { recursive: true, force: true });
  analyzeFiles = (files) => mod.analyzeFiles(files, { ruleDirs: [] });
}

const labels = JSON.parse(readFileSync(path.join(base, 'labels.json'), 'utf8'));
const rows = [];
for (const l of labels.devices) {
  if (only.length && !only.includes(l.dir)) continue;
  const dir = path.join(base, l.dir);
  const files = readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).sort(natural).slice(0, first).map((f) => path.join(dir, f));
  const report = await analyzeFiles(files);
  const d = report.devices.find((x) => x.mac === l.mac.toLowerCase()) ?? null;
  const vendor = (d?.vendor ?? '').toLowerCase();
  const model = (d?.model ?? '').toLowerCase();
  rows.push({
    dir: l.dir, files: files.length, found: !!d,
    vendor: d?.vendor ?? null, model: d?.model ?? null, category: d?.category ?? null, name: d?.name ?? null, confidence: d?.confidence ?? 0,
    want: { vendor: l.vendor, category: l.category, model_tokens: l.model_tokens },
    vendor_ok: l.vendor_accept.some((a) => vendor.includes(a)),
    category_ok: d?.category === l.category,
    model_ok: l.model_tokens.length ? l.model_tokens.some((t) => model.includes(t)) : null,
    evidence: verbose ? d?.evidence ?? [] : undefined,
  });
}

function natural(a, b) {
  return a.localeCompare(b, undefined, { numeric: true });
}
const n = rows.length;
const pct = (k, of) => (of ? (100 * k) / of : 0);
const vendorOk = rows.filter((r) => r.vendor_ok).length;
const categoryOk = rows.filter((r) => r.category_ok).length;
const withModel = rows.filter((r) => r.model_ok !== null);
const modelOk = withModel.filter((r) => r.model_ok).length;
const summary = {
  devices: n,
  vendor: { right: vendorOk, pct: pct(vendorOk, n) },
  category: { right: categoryOk, pct: pct(categoryOk, n) },
  model: { right: modelOk, of: withModel.length, pct: pct(modelOk, withModel.length) },
};
if (json) {
  console.log(JSON.stringify({ summary, devices: rows }, null, 1));
} else {
  const mark = (ok) => (ok === null ? ' ' : ok ? '✓' : '✗');
  for (const r of rows) {
    console.log(`${r.dir.padEnd(20)} ${mark(r.vendor_ok)}${mark(r.category_ok)}${mark(r.model_ok)}  ${String(r.name ?? '(not found)').padEnd(44)} vendor=${r.vendor} model=${r.model} category=${r.category} conf=${r.confidence}  [want ${r.want.vendor} / ${r.want.category}${r.want.model_tokens.length ? ' / ' + r.want.model_tokens.join('|') : ''}]`);
    if (verbose) for (const e of r.evidence) console.log(`      ${e.source.padEnd(5)} w=${e.weight ?? ''} ${e.detail}${e.vendor ? ' -> ' + e.vendor : ''}${e.model ? ' model ' + e.model : ''}${e.category ? ' [' + e.category + ']' : ''}`);
  }
  console.log(`\nvendor   ${vendorOk}/${n} = ${summary.vendor.pct.toFixed(1)}%  (target >= 95%)`);
  console.log(`category ${categoryOk}/${n} = ${summary.category.pct.toFixed(1)}%  (target >= 90%)`);
  console.log(`model    ${modelOk}/${withModel.length} = ${summary.model.pct.toFixed(1)}%  (target >= 80%, devices with model tokens)`);
}
