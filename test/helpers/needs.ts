// The one rule for tests that need something the machine may lack (a tool, root, network namespaces,
// ../shared, a native addon): on a developer's machine they skip LOUDLY (a console warning with the
// reason, and vitest counts them as skipped, never as passed); in CI (CI=true or CI=1) they FAIL, so a
// missing dependency never turns a red run green. Every test under test/ uses these helpers for that.
import { spawnSync } from 'node:child_process';
import { describe, it, type TestContext } from 'vitest';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
export const IS_ROOT = process.getuid?.() === 0;

const seen = new Map<string, boolean>();
/** Is cmd on PATH? (cached: the answer does not change during a run) */
export function have(cmd: string): boolean {
  let ok = seen.get(cmd);
  if (ok === undefined) {
    ok = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' }).status === 0;
    seen.set(cmd, ok);
  }
  return ok;
}

/** null when every command is on PATH, else the reason naming the missing ones and how to install them. */
export function missingTools(cmds: string[], install?: string): string | null {
  const missing = cmds.filter((c) => !have(c));
  if (missing.length === 0) return null;
  return `${missing.join(', ')} not installed${install ? ` (${install})` : ''}`;
}

/** null when running as root, else the reason. */
export function needsRoot(why = 'namespaces, capabilities'): string | null {
  return IS_ROOT ? null : `root (${why})`;
}

/** The first reason that is not null: the whole list is met when this is null. */
export function firstMissing(...reasons: (string | null)[]): string | null {
  return reasons.find((r) => r !== null) ?? null;
}

function ciError(what: string, missing: string): Error {
  return new Error(`${what}: needs ${missing}; CI (CI=true) must provide it (firmware-scripts/test-deps.sh, run as root)`);
}

function warn(what: string, missing: string): void {
  console.warn(`\n*** SKIPPING "${what}": needs ${missing} ***\n`);
}

/** describe() for a suite that needs `missing` (null: nothing missing, run it). */
export function describeNeeds(name: string, missing: string | null, fn: () => void): void {
  if (missing === null) {
    describe(name, fn);
  } else if (IN_CI) {
    describe(name, () => {
      it('has what it needs', () => { throw ciError(name, missing); });
    });
  } else {
    warn(name, missing);
    describe.skip(name, fn);
  }
}

/** it() for a single test that needs `missing` (null: nothing missing, run it). */
export function itNeeds(name: string, missing: string | null, fn: (ctx: TestContext) => unknown, timeout?: number): void {
  if (missing === null) {
    it(name, fn, timeout);
  } else if (IN_CI) {
    it(name, () => { throw ciError(name, missing); });
  } else {
    warn(name, missing);
    it.skip(name, fn, timeout);
  }
}

/**
 * Inside a test, when what is missing is only known at run time (an addon that fails to load, a
 * capability probe): fails in CI, else warns and marks the test skipped (ctx.skip throws, so nothing
 * after this call runs). Returns normally when nothing is missing.
 */
export function skipUnless(ctx: TestContext, missing: string | null): void {
  if (missing === null) return;
  const name = ctx.task.name;
  if (IN_CI) throw ciError(name, missing);
  warn(name, missing);
  ctx.skip(`needs ${missing}`);
}
