// npm run bundle: one JS file plus dashboard and data, no node_modules needed, runnable from anywhere.
import { createHash } from 'node:crypto';
import { builtinModules } from 'node:module';
import { cpSync, existsSync, readFileSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FW, ROOT, cleanTmp, run, tmpDir } from './helpers.js';

describe('bundle.mjs', () => {
  let out = '';
  let b = '';
  let status: number | null = null;
  let log = '';
  beforeAll(() => {
    out = tmpDir('bundle');
    const r = run(process.execPath, [path.join(FW, 'bundle.mjs'), '--no-build', '--out', out, '--quiet'], { cwd: ROOT });
    status = r.status;
    log = r.stdout + r.stderr;
    b = path.join(out, 'waakhond');
  });
  afterAll(cleanTmp);

  it('builds the CLI into one minified ESM file that node accepts', () => {
    const js = path.join(b, 'dist', 'waakhond.mjs');
    expect(existsSync(js), log).toBe(true);
    const text = readFileSync(js, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(text).toContain("createRequire as __waakhondCreateRequire");
    expect(statSync(js).mode & 0o111).toBe(0o111);
    expect(run(process.execPath, ['--check', js]).status).toBe(0);
  });

  it('leaves only node built-ins and the optional native modules outside the file', () => {
    const meta = JSON.parse(readFileSync(path.join(out, 'meta.json'), 'utf8'));
    const externals = new Set<string>();
    for (const o of Object.values(meta.outputs) as { imports: { path: string; external?: boolean }[] }[]) {
      for (const i of o.imports) if (i.external) externals.add(i.path);
    }
    // supports-color: debug's optional colours, required inside try/catch.
    const allowed = new Set(['pcap', 'bufferutil', 'utf-8-validate', 'fsevents', 'supports-color']);
    const bad = [...externals].filter((p) => !p.startsWith('node:') && !allowed.has(p) && !/^[a-z_]+$/.test(p));
    expect(bad).toEqual([]);
    // Bare builtins (fs, path) are node's own; anything else would need node_modules at run time.
    const bare = [...externals].filter((p) => /^[a-z_]+$/.test(p) && !allowed.has(p));
    const builtins = new Set(builtinModules);
    expect(bare.filter((p) => !builtins.has(p))).toEqual([]);
  });

  it('has no dynamic import that esbuild could not follow (it would fail in every install)', () => {
    expect(log).not.toContain('unbundled relative import');
    expect(status).toBe(0);
  });

  it('carries the data the daemon loads, the installers and the demo capture', () => {
    const must = ['rules/packs', 'rules/advice', 'sensor/inventory/fingerprints', 'firmware-scripts/pi/install.sh',
      'firmware-scripts/pi/waakhond.service', 'firmware-scripts/remote-capture.sh', 'firmware-scripts/pcap-splice.mjs', 'bin/waakhond', 'package.json', 'VERSION'];
    for (const m of must) expect(existsSync(path.join(b, m)), m).toBe(true);
    expect(readdirSync(path.join(b, 'rules', 'packs'), { recursive: true }).some((f) => String(f).endsWith('.yaml'))).toBe(true);
    // Present in the repository -> present in the bundle (built by build.mjs / committed by others).
    for (const m of ['dist/web/index.html', 'dist/data', 'firmware-scripts/demo/demo-home.pcap']) {
      if (existsSync(path.join(ROOT, m))) expect(existsSync(path.join(b, m)), m).toBe(true);
    }
    // No sources or tests shipped.
    const all = readdirSync(b, { recursive: true }).map(String);
    expect(all.filter((f) => /\.test\.|\.ts$/.test(f))).toEqual([]);
  });

  it('MANIFEST lists every file with its sha256', () => {
    const lines = readFileSync(path.join(b, 'MANIFEST'), 'utf8').trim().split('\n');
    const files = readdirSync(b, { recursive: true, withFileTypes: true }).filter((d) => d.isFile())
      .map((d) => path.relative(b, path.join(d.parentPath, d.name))).filter((f) => f !== 'MANIFEST').sort();
    expect(lines.map((l) => l.slice(66)).sort()).toEqual(files);
    for (const l of lines) {
      const [hash, file] = [l.slice(0, 64), l.slice(66)];
      expect(createHash('sha256').update(readFileSync(path.join(b, file))).digest('hex'), file).toBe(hash);
    }
  });

  it('runs from a copy far from the repository, without node_modules: check finds its own data', () => {
    const elsewhere = path.join(tmpDir('copy'), 'waakhond');
    cpSync(b, elsewhere, { recursive: true });
    const r = run(process.execPath, [path.join(elsewhere, 'dist', 'waakhond.mjs'), 'check'], { cwd: '/' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/fingerprints: \d+ entries/);
    expect(r.stdout).toMatch(/rules: \d+ rule\(s\) valid/);
    // Through a symlink on PATH, as the installers place it.
    const link = path.join(tmpDir('link'), 'waakhond');
    symlinkSync(path.join(elsewhere, 'bin', 'waakhond'), link);
    const h = run(link, ['help'], { cwd: '/' });
    expect(h.stderr).toBe('');
    expect(h.status).toBe(0);
    expect(h.stdout).toContain('waakhond run');
  });

  it('writes a reproducible tarball of waakhond/ and reports sizes', () => {
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.js_bytes).toBe(statSync(path.join(b, 'dist', 'waakhond.mjs')).size);
    const tgz = path.join(out, `waakhond-${summary.version}.tar.gz`);
    expect(statSync(tgz).size).toBe(summary.tarball_bytes);
    const names = run('tar', ['-tzf', tgz]).stdout.split('\n').filter(Boolean);
    expect(names.every((n) => n.startsWith('waakhond/'))).toBe(true);
    expect(names).toContain('waakhond/dist/waakhond.mjs');
  });
});
