// A bounded load run (test/bench/load.mjs) on a 300-device store with a full alert table and the demo
// looping: 32 SSE streams, 400 API requests at 25 concurrent, /api/health every 100 ms. Asserts only
// that nothing fails and health always answers; the latency figures are `npm run bench -- --load`'s job.
import { rmSync } from 'node:fs';
import { bundleDaemon } from '../helpers/bundle-entry.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/shared.js';
// @ts-expect-error plain ESM helper shared with the benchmark, no type declarations
import { runLoad } from '../bench/load.mjs';

interface Summary { n: number; p50: number; p99: number; max: number }
interface LoadResult {
  failures: string[]; health: Summary; health_failures: number; sse_errors: number; devices: number; routes: Record<string, Summary>;
  event_loop: { p50: number; p99: number; max: number };
}

let dir: string;
let entry: string;

beforeAll(async () => {
  ({ dir, entry } = await bundleDaemon('load-'));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the daemon under dashboard load', () => {
  it('answers every request and every health probe (demo looping, 32 SSE streams, 300 devices, 2000 alerts)', async () => {
    const out = await runLoad({ entry, args: [], env: { WAAKHOND_HOME: PROJECT_ROOT }, requests: 400, concurrency: 25, sse: 32, warmupMs: 2000 }) as LoadResult;
    console.log(`load (shared machine, indicative): all p50 ${out.routes.all.p50.toFixed(0)} ms p99 ${out.routes.all.p99.toFixed(0)} ms; health max ${out.health.max.toFixed(0)} ms; event-loop delay p99 ${out.event_loop.p99.toFixed(0)} ms max ${out.event_loop.max.toFixed(0)} ms`);
    expect(out.failures).toEqual([]);
    expect(out.sse_errors).toBe(0);
    expect(out.health_failures).toBe(0);
    expect(out.health.n).toBeGreaterThan(0);
    expect(out.devices).toBeGreaterThanOrEqual(300);
    expect(out.routes.all.n).toBe(400);
    // The daemon reports its event-loop delay (the bench prints it; no bound asserted here).
    expect(Number.isFinite(out.event_loop.max)).toBe(true);
    expect(out.event_loop.p99).toBeLessThanOrEqual(out.event_loop.max);
  }, 180_000);
});
