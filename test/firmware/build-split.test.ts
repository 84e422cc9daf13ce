// The dist build (firmware-scripts/build.mjs) keeps the YAML parser in a file of its own, dist/waakhond-yaml.cjs,
// required only when a data file misses the build's parsed cache (sensor/yaml-lazy.ts). Built in a scratch copy of
// the sources: analyze gives the same report through the cache and through the YAML parser, and a start that
// finds everything cached never needs the parser file (it is deleted and analyze still runs).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/shared.js';

// Under node_modules/.cache: the copy's imports (esbuild, yaml, zod, oui-data) resolve from the project.
const root = path.join(PROJECT_ROOT, 'node_modules', '.cache', `waakhond-build-split-${process.pid}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DEMO = path.join(PROJECT_ROOT, 'firmware-scripts', 'demo', 'demo-home.pcap');

function analyze(env: Record<string, string> = {}): { devices: unknown[]; alerts: unknown[]; stats: { rules_loaded: number; rule_errors: unknown[] } } {
  const out = execFileSync(process.execPath, [path.join(root, 'dist', 'waakhond.mjs'), 'analyze', '--json', DEMO], {
    encoding: 'utf8', env: { ...process.env, WAAKHOND_HOME: root, ...env }, maxBuffer: 64 << 20,
  });
  return JSON.parse(out) as ReturnType<typeof analyze>;
}

describe('dist build: the YAML parser beside the bundle', () => {
  it('is loaded only for a file the parsed cache misses, and parses it as the cache has it', () => {
    mkdirSync(root, { recursive: true });
    for (const p of ['sensor', 'rules', 'ui/server', 'firmware-scripts', 'package.json', 'package-lock.json', 'tsconfig.json']) {
      cpSync(path.join(PROJECT_ROOT, p), path.join(root, p), { recursive: true });
    }
    execFileSync(process.execPath, [path.join(root, 'firmware-scripts', 'build.mjs'), '--backend', '--quiet'], { cwd: root, stdio: 'pipe' });
    const dist = readdirSync(path.join(root, 'dist'));
    expect(dist).toContain('waakhond-yaml.cjs');
    expect(readFileSync(path.join(root, 'dist', 'waakhond-yaml.cjs'), 'utf8')).toContain('YAMLParseError');
    // No chunk carries the parser's own code (its YAMLParseError class) any more.
    for (const f of dist.filter((n) => n.endsWith('.mjs'))) {
      expect(readFileSync(path.join(root, 'dist', f), 'utf8').includes('YAMLParseError'), f).toBe(false);
    }

    const cached = analyze();
    const parsed = analyze({ WAAKHOND_DOCS_CACHE: 'off' });
    expect(cached.stats.rules_loaded).toBeGreaterThan(20);
    expect(cached.stats.rule_errors).toEqual([]);
    expect(cached.devices.length).toBeGreaterThan(3);
    expect(parsed).toEqual(cached);

    // Everything shipped is in the cache: a start never reads the parser file.
    rmSync(path.join(root, 'dist', 'waakhond-yaml.cjs'));
    expect(existsSync(path.join(root, 'dist', 'waakhond-yaml.cjs'))).toBe(false);
    expect(analyze()).toEqual(cached);
  }, 120_000);
});
