// The build-time JSON cache of data files (dist/data/docs.json) gives the loaders exactly what parsing the YAML
// gives, misses on any edit, and leaves refused files to the YAML path so reasons keep their lines.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DocsCache, docKey } from '../../sensor/docs-cache.js';
import { loadRulePacks } from '../../rules/engine/engine.js';
import { parseRuleText } from '../../rules/engine/load.js';
import { loadFingerprints } from '../../sensor/inventory/fingerprints.js';
import { loadAdviceBook } from '../../rules/advice/book.js';
import { TEXT_YAML } from '../rules/text.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'waakhond-docs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const saved = process.env.WAAKHOND_DOCS_CACHE;
afterEach(() => {
  if (saved === undefined) delete process.env.WAAKHOND_DOCS_CACHE;
  else process.env.WAAKHOND_DOCS_CACHE = saved;
});

function buildCache(root: string, out: string): { docs: number; skipped: number } {
  const r = execFileSync(process.execPath, [path.join(ROOT, 'firmware-scripts', 'build-docs.mjs'), root, out], { encoding: 'utf8' });
  return JSON.parse(r) as { docs: number; skipped: number };
}

/** Loads everything once through the YAML parser ("off") and once through the given cache file. */
function both<T>(cacheFile: string, load: () => T): [T, T] {
  process.env.WAAKHOND_DOCS_CACHE = 'off';
  const yaml = load();
  process.env.WAAKHOND_DOCS_CACHE = cacheFile;
  const cached = load();
  return [yaml, cached];
}

describe('docs cache', () => {
  const shipped = path.join(tmp, 'shipped.json');

  it('caches every shipped data file, and the loaders get the same rules, fingerprints and advice', () => {
    const r = buildCache(ROOT, shipped);
    expect(r.docs).toBeGreaterThan(20);
    const cache = DocsCache.open(shipped);
    const advice = readFileSync(path.join(ROOT, 'rules', 'advice', 'advice.yaml'), 'utf8');
    expect(cache.get(advice)).not.toBeNull();

    // loadRulePacks keeps a per-folder memo: load from two copies so each call really reads the files.
    const a = path.join(tmp, 'packs-a');
    const b = path.join(tmp, 'packs-b');
    cpSync(path.join(ROOT, 'rules', 'packs'), a, { recursive: true });
    cpSync(path.join(ROOT, 'rules', 'packs'), b, { recursive: true });
    process.env.WAAKHOND_DOCS_CACHE = 'off';
    const viaYaml = loadRulePacks([a]);
    process.env.WAAKHOND_DOCS_CACHE = shipped;
    const viaCache = loadRulePacks([b]);
    const norm = (x: typeof viaYaml) => JSON.parse(JSON.stringify(x).split(a).join('<dir>').split(b).join('<dir>'));
    expect(viaCache.rules.length).toBeGreaterThan(10);
    expect(norm(viaCache)).toEqual(norm(viaYaml));

    const [fy, fc] = both(shipped, () => loadFingerprints(path.join(ROOT, 'sensor', 'inventory', 'fingerprints')));
    expect(fc.rules.length).toBeGreaterThan(50);
    expect(fc.rules.map((x) => [x.id, x.kind, x.match.map(([k, re]) => [k, re.source, re.flags])]))
      .toEqual(fy.rules.map((x) => [x.id, x.kind, x.match.map(([k, re]) => [k, re.source, re.flags])]));
    expect(fc.vendors.map((v) => JSON.stringify({ ...v, oui: v.oui.map(String) })))
      .toEqual(fy.vendors.map((v) => JSON.stringify({ ...v, oui: v.oui.map(String) })));
    expect(fc.errors).toEqual(fy.errors);

    const [by, bc] = both(shipped, () => loadAdviceBook(path.join(ROOT, 'rules', 'advice')));
    expect([...bc.advice.keys()]).toEqual([...by.advice.keys()]);
    expect(JSON.stringify(bc)).toEqual(JSON.stringify(by));
  });

  it('misses on an edited file and gives the YAML line of a refused rule, not a cached guess', () => {
    const root = path.join(tmp, 'root');
    mkdirSync(path.join(root, 'rules', 'packs', 'x'), { recursive: true });
    const good = [
      '# A shipped-style rule.', 'id: x.one', 'title: One', 'severity: critical', 'match:', '  event: telnet_data',
      '  dst_port: 23', 'group_by: [device]', 'window: 1m', 'threshold: { count: 1 }', 'suppress_for: 1h',
      'advice: infected-reset', 'summary: "{device} to {dst_ip}"', TEXT_YAML,
    ].join('\n');
    const bad = good.replace('id: x.one', 'id: x.two').replace('  dst_port: 23', '  dst_port: 23\n  no_such_field: 3');
    writeFileSync(path.join(root, 'rules', 'packs', 'x', 'one.yaml'), good);
    writeFileSync(path.join(root, 'rules', 'packs', 'x', 'two.yaml'), bad);
    const file = path.join(tmp, 'small.json');
    expect(buildCache(root, file)).toEqual({ docs: 2, skipped: 0 });
    const cache = DocsCache.open(file);
    expect(cache.get(good)).not.toBeNull();
    expect(cache.get(good + ' ')).toBeNull();
    expect(cache.get(good)!.lines.id).toBe(2);

    const ok = parseRuleText('one.yaml', good, cache);
    expect(ok.errors).toEqual([]);
    expect(ok.rule!.source).toEqual({ file: 'one.yaml', line: 2 });
    expect(ok).toEqual(parseRuleText('one.yaml', good));

    const refused = parseRuleText('two.yaml', bad, cache);
    expect(refused.rule).toBeNull();
    expect(refused).toEqual(parseRuleText('two.yaml', bad));
    expect(refused.errors.map((e) => e.line)).toContain(8);
  });

  it('leaves broken, multi-document, aliased and non-JSON documents to the YAML loaders', () => {
    const root = path.join(tmp, 'odd');
    const dir = path.join(root, 'sensor', 'inventory', 'fingerprints');
    mkdirSync(dir, { recursive: true });
    const texts = {
      'broken.yaml': 'a: [1, 2\n',
      'two.yaml': 'a: 1\n---\nb: 2\n',
      'alias.yaml': 'a: &x { b: 1 }\nc: *x\n',
      'inf.yaml': 'a: .inf\n',
      'dup.yaml': 'a: 1\na: 2\n',
      'fine.yaml': 'kind: dhcp\nrules: []\n',
    };
    for (const [n, t] of Object.entries(texts)) writeFileSync(path.join(dir, n), t);
    const file = path.join(tmp, 'odd.json');
    expect(buildCache(root, file)).toEqual({ docs: 1, skipped: 5 });
    const cache = DocsCache.open(file);
    expect(cache.get(texts['fine.yaml'])).toEqual({ doc: { kind: 'dhcp', rules: [] }, lines: { '': 1, kind: 1, rules: 2 } });
    expect(cache.get(texts['alias.yaml'])).toBeNull();
    // A cache of another version, or no file, is an empty cache.
    writeFileSync(path.join(tmp, 'v0.json'), JSON.stringify({ version: 0, docs: { [docKey(texts['fine.yaml'])]: { doc: 1, lines: {} } } }));
    expect(DocsCache.open(path.join(tmp, 'v0.json')).get(texts['fine.yaml'])).toBeNull();
    expect(DocsCache.open(path.join(tmp, 'missing.json')).get(texts['fine.yaml'])).toBeNull();
  });

  it('shares one parse between loaders while the file is unchanged, and reads a rewritten file again', () => {
    const file = path.join(tmp, 'shared.json');
    const key = docKey('x: 1\n');
    writeFileSync(file, JSON.stringify({ version: 1, docs: { [key]: { doc: { x: 1 }, lines: { x: 1 } } } }));
    const a = DocsCache.open(file);
    expect(DocsCache.open(file)).toBe(a);
    expect(a.get('x: 1\n')!.doc).toEqual({ x: 1 });
    writeFileSync(file, JSON.stringify({ version: 1, docs: { [key]: { doc: { x: 2 }, lines: { x: 1 } } } }) + ' ');
    const b = DocsCache.open(file);
    expect(b).not.toBe(a);
    expect(b.get('x: 1\n')!.doc).toEqual({ x: 2 });
  });
});
