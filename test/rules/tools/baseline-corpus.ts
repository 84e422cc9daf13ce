// Baseline alerts on real captures, each analysed alone: how often does the baseline speak, and about what.
//   node test/rules/tools/run.mjs test/rules/tools/baseline-corpus.ts [--learning 10m] DIR...
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { analyzeFiles, defaultRuleDirs } from '../../../sensor/analyze.js';
import { loadRulePacks } from '../../../rules/engine/load.js';
import { durationUs } from '../../../rules/engine/schema.js';

function captures(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? captures(p) : /\.(pcap|pcapng|cap)$/i.test(n) ? [p] : [];
  });
}

export async function main(args: string[]): Promise<number> {
  let learningUs: number | undefined;
  const i = args.indexOf('--learning');
  if (i >= 0) { learningUs = durationUs(args[i + 1]!) ?? undefined; args.splice(i, 2); }
  const rules = loadRulePacks(defaultRuleDirs());
  const counts = new Map<string, number>();
  let files = 0;
  for (const f of args.flatMap(captures)) {
    files++;
    const r = await analyzeFiles([f], { rules, ...(learningUs !== undefined ? { baselineLearningUs: learningUs } : {}) });
    for (const a of r.alerts) {
      if (!a.rule.startsWith('baseline.')) continue;
      const k = `${a.rule} ${a.severity}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
      console.log(`${path.relative(process.cwd(), f)}: ${a.severity} ${a.rule} ${a.device} | ${a.summary}`);
    }
  }
  console.log(`${files} captures; baseline alerts: ${[...counts].map(([k, n]) => `${k} x${n}`).join(', ') || 'none'}`);
  return 0;
}
