// `waakhond check`: validates every fingerprint and rule file and says which entries were refused and why.
import { validateAdvice } from '../rules/advice/book.js';
import { loadRulePacks, validateRulePacks } from '../rules/engine/engine.js';
import { loadBaselineConfig } from '../rules/engine/baseline-config.js';
import { validateFingerprints } from './inventory/fingerprints.js';
import { projectPath } from './paths.js';

export async function checkCommand(args: string[]): Promise<number> {
  const quiet = args.includes('--quiet');
  const fp = validateFingerprints(projectPath('sensor', 'inventory', 'fingerprints'));
  for (const e of fp.errors) {
    const where = e.entry !== null ? ` entry ${e.entry}${e.id ? ` (${e.id})` : ''}` : '';
    process.stdout.write(`fingerprints: ${e.file}${where}: ${e.reason}\n`);
  }
  if (!quiet) process.stdout.write(`fingerprints: ${fp.rules} entries in ${fp.files} file(s), ${fp.vendors} vendors, ${fp.errors.length} error(s)\n`);
  const rules = validateRulePacks([projectPath('rules', 'packs')]);
  for (const line of rules.lines) if (!quiet || !rules.ok) process.stdout.write(`rules: ${line}\n`);
  // The per-device baseline's settings and families (rules/baseline/baseline.yaml).
  const baseline = loadBaselineConfig();
  for (const e of baseline.errors) process.stdout.write(`baseline: ${e.file}${e.line !== null ? `:${e.line}` : ''}: ${e.reason}\n`);
  if (!quiet && baseline.config) process.stdout.write(`baseline: ${baseline.config.families.length} protocol families, ${Object.keys(baseline.config.rules).length} alerts\n`);
  // Every advice id a rule names must exist in both languages.
  const adviceIds = loadRulePacks([projectPath('rules', 'packs')]).rules.flatMap((r) => (r.advice ? [r.advice as string] : []));
  for (const r of Object.values(baseline.config?.rules ?? {})) if (r.advice) adviceIds.push(r.advice);
  const advice = validateAdvice(projectPath('rules', 'advice'), adviceIds);
  for (const line of advice.lines) if (!quiet || !advice.ok) process.stdout.write(`advice: ${line}\n`);
  return fp.ok && rules.ok && advice.ok && baseline.errors.length === 0 ? 0 : 1;
}
