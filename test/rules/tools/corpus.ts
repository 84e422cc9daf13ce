// Figures over a corpus of captures: alerts by severity per capture hour, and the rule engine's share of analyze time.
//   node test/rules/tools/run.mjs test/rules/tools/corpus.ts [--min SEVERITY] [--cost] DIR_OR_FILE...
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { analyzeFiles } from '../../../sensor/analyze.js';
import { SEVERITIES, type Severity } from '../../../rules/engine/types.js';

/** CPU time of this process in ms: wall time on a shared machine measures the neighbours too. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function captures(p: string): string[] {
  const st = statSync(p);
  if (st.isFile()) return [p];
  return readdirSync(p).sort().flatMap((n) => {
    const q = path.join(p, n);
    const s = statSync(q);
    if (s.isDirectory()) return captures(q);
    return /\.(pcap|pcapng|cap)$/i.test(n) ? [q] : [];
  });
}

export async function main(args: string[]): Promise<number> {
  let min: Severity = 'low';
  let cost = false;
  let batch = false;
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--min') min = args[++i] as Severity;
    else if (args[i] === '--cost') cost = true;
    else if (args[i] === '--cost-batch') batch = true;
    else paths.push(args[i]!);
  }
  const files = paths.flatMap(captures);
  if (batch) {
    // All captures through one pipeline and one engine (as `analyze F...` does): the steady-state cost,
    // without per-file start-up. Alternated three times, fastest of each kept.
    let withR = Infinity;
    let without = Infinity;
    for (let k = 0; k < 3; k++) {
      let t = cpuMs();
      await analyzeFiles(files, { ruleDirs: [] });
      without = Math.min(without, cpuMs() - t);
      t = cpuMs();
      await analyzeFiles(files);
      withR = Math.min(withR, cpuMs() - t);
    }
    console.log(`files=${files.length} one analyze: CPU time with rules ${withR.toFixed(0)} ms, without ${without.toFixed(0)} ms: engine share ${(100 * (withR - without) / without).toFixed(1)}%`);
    return 0;
  }
  const bySev: Record<string, number> = {};
  let seconds = 0;
  let badSpans = 0;
  let msRules = 0;
  let msNoRules = 0;
  const shown: string[] = [];
  for (const f of files) {
    const t0 = cpuMs();
    const r = await analyzeFiles([f]);
    let withRules = cpuMs() - t0;
    if (cost) {
      // Alternate the two runs and keep the fastest of each: the first run of a file pays for page cache and JIT.
      let without = Infinity;
      for (let k = 0; k < 2; k++) {
        const t1 = cpuMs();
        await analyzeFiles([f], { ruleDirs: [] });
        without = Math.min(without, cpuMs() - t1);
        const t2 = cpuMs();
        await analyzeFiles([f]);
        withRules = Math.min(withRules, cpuMs() - t2);
      }
      msNoRules += without;
    }
    msRules += withRules;
    if (r.stats.first_packet && r.stats.last_packet) {
      // Fuzzed captures carry absurd timestamps: a span over a day is not counted as capture time.
      const span = (Date.parse(r.stats.last_packet) - Date.parse(r.stats.first_packet)) / 1000;
      if (span >= 0 && span <= 86400) seconds += span;
      else badSpans++;
    }
    for (const a of r.alerts) {
      bySev[a.severity] = (bySev[a.severity] ?? 0) + 1;
      if (SEVERITIES.indexOf(a.severity) >= SEVERITIES.indexOf(min)) {
        shown.push(`${path.relative(process.cwd(), f)}: ${a.severity} ${a.rule} ${a.device} x${a.count} | ${a.summary}`);
      }
    }
  }
  for (const s of shown) console.log(s);
  const hours = seconds / 3600;
  console.log(`files=${files.length} capture_hours=${hours.toFixed(2)} (spans over a day not counted: ${badSpans}) alerts_by_severity=${JSON.stringify(bySev)}`);
  for (const s of SEVERITIES) {
    const n = SEVERITIES.slice(SEVERITIES.indexOf(s)).reduce((a, x) => a + (bySev[x] ?? 0), 0);
    if (hours > 0) console.log(`  >= ${s}: ${n} alerts, ${(n / hours).toFixed(2)} per capture hour`);
  }
  if (cost) {
    console.log(`analyze CPU time with rules ${msRules.toFixed(0)} ms, without ${msNoRules.toFixed(0)} ms (fastest of 2 alternated runs per file): engine share ${(100 * (msRules - msNoRules) / msNoRules).toFixed(1)}%`);
  }
  return 0;
}
