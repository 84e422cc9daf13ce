// How far a sharded analysis (sensor/shard) agrees with the single-threaded one, capture by capture:
//   node test/rules/tools/run.mjs test/rules/tools/shard-compare.ts [--threads N] [--show K] DIR|FILE...
// The shards run on this thread (shardsInProcess), so the result does not depend on timing. Prints,
// per aspect, how many captures agree, and the first K that do not with what differs.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { analyzeFiles, type Report } from '../../../sensor/analyze.js';
import { defaultPackDirs, loadRulePacks } from '../../../rules/engine/engine.js';

function captures(p: string): string[] {
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? captures(path.join(p, e.name))
    : /\.(pcap|pcapng|cap)$/i.test(e.name) ? [path.join(p, e.name)] : []).sort();
}

const byKey = <T>(xs: T[], key: (x: T) => string) => new Map(xs.map((x) => [key(x), x]));

/** What differs between two reports, aspect by aspect (empty: the same but for order and event counts). */
export function differences(a: Report, b: Report): string[] {
  const out: string[] = [];
  const da = byKey(a.devices, (d) => d.mac);
  const db = byKey(b.devices, (d) => d.mac);
  const macs = [...new Set([...da.keys(), ...db.keys()])];
  for (const m of macs) {
    const x = da.get(m);
    const y = db.get(m);
    if (!x || !y) { out.push(`device ${m} only ${x ? 'single' : 'sharded'}`); continue; }
    for (const f of ['vendor', 'model', 'category', 'name', 'router', 'hostname'] as const) {
      if (JSON.stringify(x[f]) !== JSON.stringify(y[f])) out.push(`device ${m} ${f}: ${JSON.stringify(x[f])} vs ${JSON.stringify(y[f])}`);
    }
    for (const f of ['ips', 'ipv6', 'seen_as', 'first_seen', 'last_seen', 'confidence'] as const) {
      if (JSON.stringify(x[f]) !== JSON.stringify(y[f])) out.push(`device ${m} ${f}`);
    }
    if (JSON.stringify(x.evidence) !== JSON.stringify(y.evidence)) out.push(`device ${m} evidence`);
  }
  const aa = byKey(a.alerts, (x) => x.id);
  const ab = byKey(b.alerts, (x) => x.id);
  for (const id of new Set([...aa.keys(), ...ab.keys()])) {
    const x = aa.get(id);
    const y = ab.get(id);
    if (!x || !y) { out.push(`alert ${id} only ${x ? 'single' : 'sharded'}`); continue; }
    for (const f of ['severity', 'device', 'count', 'first_seen', 'last_seen', 'summary'] as const) {
      if (JSON.stringify(x[f]) !== JSON.stringify(y[f])) out.push(`alert ${id} ${f}: ${JSON.stringify(x[f])} vs ${JSON.stringify(y[f])}`);
    }
    if (JSON.stringify(x.evidence) !== JSON.stringify(y.evidence)) out.push(`alert ${id} evidence`);
  }
  const { events: _e1, baseline: b1, ...sa } = a.stats;
  const { events: _e2, baseline: b2, ...sb } = b.stats;
  for (const k of Object.keys(sa) as (keyof typeof sa)[]) {
    if (JSON.stringify(sa[k]) !== JSON.stringify(sb[k])) out.push(`stats ${k}: ${JSON.stringify(sa[k])} vs ${JSON.stringify(sb[k])}`);
  }
  // The shards' watched clock also moves with frames that make no event (clock marks, shards.ts): up to
  // a second or two more than one thread's, which moves with events only. Devices and learnt are exact.
  if (!b1 || !b2 ? b1 !== b2 : b1.devices !== b2.devices || b1.devices_learnt !== b2.devices_learnt) out.push('baseline devices');
  else if (b1 && b2 && Math.abs(b1.watched_s - b2.watched_s) > 2) out.push(`baseline watched: ${b1.watched_s} vs ${b2.watched_s} s`);
  return out;
}

export async function main(args: string[]): Promise<number> {
  let threads = 2;
  let show = 10;
  let only = '';
  const inputs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--threads') threads = Number(args[++i]);
    else if (args[i] === '--show') show = Number(args[++i]);
    else if (args[i] === '--only') only = args[++i];
    else inputs.push(args[i]);
  }
  const rules = loadRulePacks(defaultPackDirs());
  let n = 0;
  let same = 0;
  let sameOrder = 0;
  const aspects = new Map<string, number>();
  const shown: string[] = [];
  for (const f of inputs.flatMap(captures)) {
    const a = await analyzeFiles([f], { rules });
    const b = await analyzeFiles([f], { rules, threads, shardsInProcess: true });
    n++;
    const d = differences(a, b);
    if (d.length === 0) {
      same++;
      const strip = (r: Report) => JSON.stringify({ ...r, stats: { ...r.stats, events: 0, baseline: null } });
      if (strip(a) === strip(b)) sameOrder++;
      continue;
    }
    for (const k of new Set(d.map((x) => x.replace(/^(device|alert) \S+ /, '$1 ').replace(/:.*$/, '')))) aspects.set(k, (aspects.get(k) ?? 0) + 1);
    if (shown.length < show && (!only || d.some((x) => x.replace(/^(device|alert) \S+ /, '$1 ').startsWith(only)))) shown.push(`${f}\n    ${d.slice(0, show > 50 ? 200 : 6).join('\n    ')}${d.length > 6 ? `\n    (+${d.length - 6})` : ''}`);
  }
  console.log(`${threads} shards against 1 thread: ${same} of ${n} captures agree on devices, alerts and counters (${sameOrder} also in order)`);
  for (const [k, c] of [...aspects].sort((x, y) => y[1] - x[1])) console.log(`  ${String(c).padStart(5)} captures differ in: ${k}`);
  for (const s of shown) console.log(`- ${s}`);
  return 0;
}
