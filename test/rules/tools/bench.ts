// Engine cost on real event streams: analyze time without rules vs the engine alone over the same events, per rule.
//   node test/rules/tools/run.mjs test/rules/tools/bench.ts [--per-rule] DIR_OR_FILE...
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { analyzeFiles } from '../../../sensor/analyze.js';
import type { WaakhondEvent } from '../../../sensor/events.js';
import { RuleEngine, defaultPackDirs, loadRulePacks } from '../../../rules/engine/engine.js';

function captures(p: string): string[] {
  const st = statSync(p);
  if (st.isFile()) return [p];
  return readdirSync(p).sort().flatMap((n) => {
    const q = path.join(p, n);
    return statSync(q).isDirectory() ? captures(q) : /\.(pcap|pcapng|cap)$/i.test(n) ? [q] : [];
  });
}

export async function main(args: string[]): Promise<number> {
  const perRule = args.includes('--per-rule');
  const files = args.filter((a) => !a.startsWith('--')).flatMap(captures);
  const streams: WaakhondEvent[][] = [];
  let base = 0;
  for (const f of files) {
    const ev: WaakhondEvent[] = [];
    await analyzeFiles([f], { ruleDirs: [], onEvent: (e) => ev.push(e) });
    streams.push(ev);
    // Warm analyze time without rules (fastest of two): what the engine's share is measured against.
    let best = Infinity;
    for (let k = 0; k < 2; k++) {
      const t = performance.now();
      await analyzeFiles([f], { ruleDirs: [] });
      best = Math.min(best, performance.now() - t);
    }
    base += best;
  }
  const { rules } = loadRulePacks(defaultPackDirs());
  const run = (rs: typeof rules): number => {
    const t = performance.now();
    for (const ev of streams) {
      const eng = new RuleEngine(rs);
      for (let i = 0; i < ev.length; i++) eng.observe(ev[i]!);
      eng.alerts();
    }
    return performance.now() - t;
  };
  run(rules); // warm up
  const times = [run(rules), run(rules), run(rules)].sort((a, b) => a - b);
  const eng = times[1]!;
  const events = streams.reduce((a, s) => a + s.length, 0);
  console.log(`files=${files.length} events=${events} analyze(no rules)=${base.toFixed(0)} ms engine(full packs, median of 3)=${eng.toFixed(0)} ms ` +
    `share=${((100 * eng) / base).toFixed(1)}% (${((1000 * eng) / events).toFixed(2)} µs/event)`);
  if (perRule) {
    const rows = rules.map((r) => ({ id: r.id, ms: Math.min(run([r]), run([r])) })).sort((a, b) => b.ms - a.ms);
    const empty = Math.min(run([]), run([]));
    console.log(`no rules: ${empty.toFixed(0)} ms`);
    for (const r of rows.slice(0, 12)) console.log(`  ${r.ms.toFixed(0).padStart(6)} ms  ${r.id}`);
  }
  return 0;
}
