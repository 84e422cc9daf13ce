// Writes dist/data/docs.json: every fingerprint, rule pack and advice file parsed once at build time (YAML -> JSON),
// keyed by the SHA-256 of its text, read by sensor/docs-cache.ts so the daemon need not run the YAML parser.
// Only documents that parse cleanly and survive a JSON round trip unchanged are cached: anything else (errors,
// several documents, aliases, .inf) is left to the YAML loaders at run time, which report file and line as before.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { LineCounter, isMap, isNode, parseAllDocuments } from 'yaml';

export const DOCS_CACHE_VERSION = 1; // = sensor/docs-cache.ts
export const DOCS_DIRS = ['sensor/inventory/fingerprints', 'rules/packs', 'rules/advice', 'rules/baseline'];

function files(dir, depth = 0, out = []) {
  let names;
  try { names = readdirSync(dir).sort(); } catch { return out; }
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) { if (depth < 4) files(p, depth + 1, out); }
    else if (/\.(ya?ml|json)$/i.test(name)) out.push(p);
  }
  return out;
}

/** The cache entry of one file's text, or null when the run-time YAML loaders must see it themselves. */
export function docEntry(text) {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (!Array.isArray(docs) || docs.length !== 1) return null;
  const d = docs[0];
  if (d.errors.length || d.warnings.length) return null;
  let js;
  try { js = d.toJS({ maxAliasCount: 0 }); } catch { return null; } // no aliases: every loader's limit agrees
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(js) ?? 'null'), js)) return null;
  const lines = {};
  if (isNode(d.contents) && d.contents.range) lines[''] = lc.linePos(d.contents.range[0]).line;
  if (isMap(d.contents)) {
    for (const pair of d.contents.items) {
      const key = isNode(pair.key) ? pair.key.toJSON() : pair.key;
      if (typeof key === 'string' && isNode(pair.value) && pair.value.range) lines[key] = lc.linePos(pair.value.range[0]).line;
    }
  }
  return { doc: js, lines };
}

export function buildDocs(root, outFile) {
  const docs = {};
  let n = 0;
  let skipped = 0;
  for (const dir of DOCS_DIRS) {
    for (const file of files(path.join(root, dir))) {
      const text = readFileSync(file, 'utf8');
      const e = docEntry(text);
      if (!e) { skipped++; continue; }
      docs[createHash('sha256').update(text, 'utf8').digest('hex')] = e;
      n++;
    }
  }
  mkdirSync(path.dirname(outFile), { recursive: true });
  const tmp = `${outFile}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ version: DOCS_CACHE_VERSION, docs }));
  renameSync(tmp, outFile);
  return { docs: n, skipped };
}

// As a command (tests): node firmware-scripts/build-docs.mjs ROOT OUT_FILE
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const [root, out] = process.argv.slice(2);
  if (!root || !out) { console.error('usage: build-docs.mjs ROOT OUT_FILE'); process.exit(2); }
  console.log(JSON.stringify(buildDocs(path.resolve(root), path.resolve(out))));
}
