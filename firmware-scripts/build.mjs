// Builds what the project runs: the CLI/daemon as one ESM file (dist/waakhond.mjs), the compact
// OUI table and the parsed data files (dist/data/) and the dashboard (dist/web/). `--backend` builds all but the last.
// esbuild, the YAML parser and the docs builder are imported only when something is built: `--if-stale` with
// nothing changed (every `npm run waakhond`) answers from a stamp of mtimes in a few milliseconds.
import { existsSync, statSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const log = (msg) => { if (!quiet) console.log(msg); };

/** What the backend build reads: code, data files (docs.json, OUI table), the build scripts, the locked dependencies. */
const STAMP_INPUTS = ['sensor', 'rules', 'ui/server', 'firmware-scripts', 'package-lock.json', 'tsconfig.json'];
const STAMP = path.join(root, 'dist', '.backend-stamp');
const STAMP_OUTPUTS = ['dist/waakhond.mjs', 'dist/data/docs.json'];

/** Newest mtime and count of every file and folder under the inputs: an edit, an added, removed or renamed file changes it. */
function inputsKey() {
  let newest = 0;
  let count = 0;
  const walk = (p) => {
    let st;
    try { st = statSync(p); } catch { return; }
    count++;
    if (st.mtimeMs > newest) newest = st.mtimeMs;
    if (!st.isDirectory()) return;
    for (const name of readdirSync(p)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      walk(path.join(p, name));
    }
  };
  for (const d of STAMP_INPUTS) walk(path.join(root, d));
  const outs = STAMP_OUTPUTS.map((o) => { try { return statSync(path.join(root, o)).mtimeMs; } catch { return -1; } });
  return `1 ${newest} ${count} ${outs.join(' ')}`;
}

if (args.has('--if-stale') && args.has('--backend')) {
  let fresh = false;
  try { fresh = readFileSync(STAMP, 'utf8') === inputsKey(); } catch { /* no stamp yet: build */ }
  if (fresh) process.exit(0);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (/\.(ts|tsx|mjs|js)$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

async function buildBackend() {
  const out = path.join(root, 'dist', 'waakhond.mjs');
  const sources = Math.max(...['sensor', 'rules', 'ui/server'].map((d) => existsSync(path.join(root, d)) ? newestMtime(path.join(root, d)) : 0));
  if (args.has('--if-stale') && existsSync(out) && statSync(out).mtimeMs > sources) return;
  const t0 = Date.now();
  const { build } = await import('esbuild');
  // Chunks of an earlier build (their names carry a content hash) would pile up.
  const distDir = path.join(root, 'dist');
  if (existsSync(distDir)) {
    for (const name of readdirSync(distDir)) if (/^waakhond-.+\.mjs(\.map)?$/.test(name)) rmSync(path.join(distDir, name));
  }
  await build({
    entryPoints: [path.join(root, 'sensor', 'waakhond.ts')],
    // Code splitting: what a command loads with import() (the daemon, check, lookup, live capture, the exporters
    // with the MQTT client) is a chunk beside dist/waakhond.mjs, read only when used, so the demo daemon never
    // parses or keeps the MQTT client's code. Chunks sit in dist/ itself: import.meta.url-relative paths
    // (sensor/paths.ts: one folder up is the root) resolve the same from every chunk.
    outdir: distDir,
    entryNames: '[name]',
    chunkNames: 'waakhond-[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    legalComments: 'none',
    // V8 keeps the whole source text of the running script (lazy compilation needs it): without comments and
    // whitespace it is ~40% smaller, and ASCII-only (comments in dependencies hold UTF-8) it stays a one-byte
    // string instead of a two-byte one. Identifiers are kept, so stack traces stay readable (and the map maps them).
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'ascii',
    // The native capture addon is optional and loaded at run time only if present.
    external: ['pcap'],
    // The YAML parser (~160 kB) is a file of its own, required on the first YAML parse (sensor/yaml-lazy.ts): the
    // loaders read the build's parsed cache, so most runs never load it, and a start no longer compiles its text.
    plugins: [{
      name: 'yaml-beside',
      setup(b) { b.onResolve({ filter: /^yaml$/ }, (a) => (a.kind === 'require-call' ? { path: './waakhond-yaml.cjs', external: true } : undefined)); },
    }],
    // CommonJS dependencies (dns-packet, mqtt) call require(): give the ESM bundle one. Made on its first call: the
    // banner is in every chunk, and a createRequire per chunk was ~1 ms of every start for chunks that never require.
    banner: { js: "import { createRequire as __wkCreateRequire } from 'node:module'; let __wkRequire; function require(id) { return (__wkRequire ??= __wkCreateRequire(import.meta.url))(id); }" },
    logLevel: 'warning',
  });
  await build({
    stdin: { contents: "module.exports = require('yaml');", resolveDir: root, sourcefile: 'yaml-entry.cjs' },
    outfile: path.join(distDir, 'waakhond-yaml.cjs'),
    bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    minifyWhitespace: true, minifySyntax: true, charset: 'ascii', legalComments: 'none', logLevel: 'warning',
  });
  log(`built dist/waakhond.mjs in ${Date.now() - t0} ms`);
}

function buildOui() {
  const script = path.join(root, 'firmware-scripts', 'oui', 'build-oui.mjs');
  if (!existsSync(script)) return;
  const r = spawnSync(process.execPath, [script, '--out', path.join(root, 'dist', 'data'), ...(quiet ? ['--quiet'] : [])], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('OUI table build failed');
}

async function buildDocsCache() {
  const out = path.join(root, 'dist', 'data', 'docs.json');
  const { buildDocs } = await import('./build-docs.mjs');
  const r = buildDocs(root, out);
  log(`built dist/data/docs.json: ${r.docs} data files parsed ahead${r.skipped ? `, ${r.skipped} left to the YAML loaders` : ''}`);
}

function buildWeb() {
  const config = path.join(root, 'ui', 'web', 'vite.config.ts');
  if (!existsSync(config)) return;
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', config, ...(quiet ? ['--logLevel', 'warn'] : [])], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('dashboard build failed');
}

try {
  await buildBackend();
  buildOui();
  await buildDocsCache();
  // Taken after the outputs are written (their mtimes are part of the key): the next --if-stale run is a stat walk.
  writeFileSync(STAMP, inputsKey());
  if (!args.has('--backend')) buildWeb();
} catch (err) {
  console.error(`build: ${err.message}`);
  process.exit(1);
}
