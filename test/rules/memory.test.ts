// Bounded state: a million spoofed sources must not grow the engine's memory past its caps.
import v8 from 'node:v8';
import vm from 'node:vm';
import { expect, it } from 'vitest';
import { RuleEngine, defaultPackDirs, loadRulePacks } from '../../rules/engine/engine.js';
import { spoofedFlood } from './spoofed-flood.js';

function collect(): () => void {
  v8.setFlagsFromString('--expose_gc');
  return vm.runInNewContext('gc') as () => void;
}

it('1 million spoofed sources stay within the caps (full packs)', () => {
  const gc = collect();
  const { rules, errors } = loadRulePacks(defaultPackDirs());
  expect(errors).toEqual([]);
  const engine = new RuleEngine(rules);
  spoofedFlood(engine, 100_000);
  gc();
  const heap100k = process.memoryUsage().heapUsed;
  spoofedFlood(engine, 900_000, 100_000);
  gc();
  const heap1m = process.memoryUsage().heapUsed;
  const growthMb = (heap1m - heap100k) / 2 ** 20;
  console.log(`heapUsed after 100k sources ${(heap100k / 2 ** 20).toFixed(1)} MB, after 1M ${(heap1m / 2 ** 20).toFixed(1)} MB ` +
    `(growth ${growthMb.toFixed(1)} MB); keys evicted ${engine.stats.keys_evicted}; tables full: ${engine.stats.tables_full.join(', ')}`);
  // Every per-key table is capped: going from 100k to 1M sources adds (almost) nothing.
  expect(growthMb).toBeLessThan(8);
  for (const r of engine.ruleStats()) expect(r.keys).toBeLessThanOrEqual(4096);
  expect(engine.stats.keys_evicted).toBeGreaterThan(100_000);
  expect(engine.health().length).toBeGreaterThan(0);
  // The flood itself is noticed: the victim is flooded from many sources, brute-force keys churn.
  expect(engine.alerts().some((a) => a.rule === 'mirai.victim.flood-many-sources')).toBe(true);
  expect(engine.alerts().length).toBeLessThanOrEqual(5000);
});
