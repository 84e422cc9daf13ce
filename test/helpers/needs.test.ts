// The skip rule itself (needs.ts): a fixture with each helper, run by a child vitest without and with
// CI=true. Without CI, what lacks its tool is skipped (never passed) with a warning naming it; in CI,
// the same tests fail; what has its tool passes both times.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './shared.js';

const dir = mkdtempSync(path.join(tmpdir(), 'wk-needs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runFixture(ci: boolean): { statuses: Record<string, string>; output: string } {
  const out = path.join(dir, `${ci}.json`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CI;
  if (ci) env.CI = 'true';
  const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run',
    '--config', 'test/helpers/fixtures/vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`],
  { cwd: PROJECT_ROOT, env, encoding: 'utf8', timeout: 60_000 });
  const report = JSON.parse(readFileSync(out, 'utf8')) as { testResults: { assertionResults: { fullName: string; status: string }[] }[] };
  const statuses: Record<string, string> = {};
  for (const f of report.testResults) for (const a of f.assertionResults) statuses[a.fullName] = a.status;
  return { statuses, output: `${r.stdout}${r.stderr}` };
}

describe('needs.ts: skip loudly, fail in CI', () => {
  it('without CI: missing means skipped with a warning, never passed', () => {
    const { statuses, output } = runFixture(false);
    expect(statuses).toEqual({
      'suite with what it needs runs': 'passed',
      'suite without inner test': 'skipped',
      'test with what it needs': 'passed',
      'test without': 'skipped',
      'run-time check with what it needs': 'passed',
      'run-time check without': 'skipped',
    });
    for (const name of ['suite without', 'test without', 'run-time check without']) {
      expect(output).toContain(`*** SKIPPING "${name}": needs wk-no-such-tool-7f3a not installed ***`);
    }
  });

  it('with CI=true: missing means failed, with the reason', () => {
    const { statuses, output } = runFixture(true);
    expect(statuses).toEqual({
      'suite with what it needs runs': 'passed',
      'suite without has what it needs': 'failed',
      'test with what it needs': 'passed',
      'test without': 'failed',
      'run-time check with what it needs': 'passed',
      'run-time check without': 'failed',
    });
    expect(output).not.toContain('SKIPPING');
    expect(output).toContain('needs wk-no-such-tool-7f3a not installed; CI (CI=true) must provide it');
  });
});
