#!/usr/bin/env node
// Builds the self-contained install bundle dist/bundle/waakhond/ (one JS file + dashboard + data) and its tarball.
//
// Layout mirrors the repository so that any path the code computes from import.meta.url of
// dist/waakhond.mjs (the lead's dev build) resolves the same way inside the bundle:
//   waakhond/dist/waakhond.mjs          the daemon and CLI, one minified ESM file (esbuild)
//   waakhond/dist/web/                  the built dashboard (vite, from firmware-scripts/build.mjs)
//   waakhond/dist/data/                 the compact OUI table
//   waakhond/sensor/inventory/fingerprints/  rules/packs/  rules/advice/   data, validated at load
//   waakhond/firmware-scripts/demo/demo-home.pcap   the demo capture
//   waakhond/bin/waakhond               sh launcher (finds node >= 20)
//   waakhond/package.json VERSION MANIFEST
// No node_modules at run time: the native `pcap` addon stays external and optional; without it
// live capture falls back to a `tcpdump -U -w -` child process.
//
// Usage: node firmware-scripts/bundle.mjs [--out DIR] [--entry FILE] [--no-build] [--strict] [--no-tar] [--quiet]
// Missing parts (while other engineers' files land) are reported and skipped; --strict makes
// any missing part an error (CI and release builds).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const OUT_PARENT = path.resolve(opt('--out', path.join(ROOT, 'dist', 'bundle')));
const OUT = path.join(OUT_PARENT, 'waakhond');
const STRICT = flag('--strict');
const QUIET = flag('--quiet');
const log = (msg) => { if (!QUIET) console.log(msg); };
const missing = [];

/** Native or optional modules that must not be inlined: resolved at run time if installed. */
const EXTERNAL = [
  'pcap', // native libpcap addon: optional, tcpdump child is the fallback
  'bufferutil', 'utf-8-validate', // optional native speed-ups of ws (mqtt over websockets)
  'fsevents',
  'supports-color', // optional colours of `debug` (under mqtt), required inside try/catch
];

/** Data directories copied verbatim (relative to the repo and to the bundle). */
const DATA_DIRS = [
  'sensor/inventory/fingerprints',
  'rules/packs',
  'rules/advice',
  'rules/baseline',
];
/** Files never shipped: tests and notes that live beside data. */
const SKIP_RE = /(\.test\.[cm]?[jt]sx?|\.ts|\.map|~|\.swp)$/;

function note(what) {
  missing.push(what);
  console.warn(`bundle: MISSING ${what}`);
}

function run(cmd, argv) {
  const r = spawnSync(cmd, argv, { cwd: ROOT, stdio: QUIET ? ['ignore', 'ignore', 'inherit'] : 'inherit' });
  return r.status === 0;
}

function walk(dir, base = dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, base, out);
    else out.push({ rel: path.relative(base, p), size: st.size, p });
  }
  return out;
}

function git(...a) {
  const r = spawnSync('git', a, { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

async function main() {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const version = pkg.version;

  // 1. The dashboard and the compact OUI table come from the lead's build (vite + data).
  const buildScript = path.join(ROOT, 'firmware-scripts', 'build.mjs');
  if (!flag('--no-build')) {
    if (existsSync(buildScript)) {
      log('bundle: running firmware-scripts/build.mjs');
      if (!run(process.execPath, [buildScript, ...(QUIET ? ['--quiet'] : [])])) {
        console.warn('bundle: build.mjs failed; bundling whatever dist/ holds');
        missing.push('build.mjs (failed)');
      }
    } else note('firmware-scripts/build.mjs');
  }

  // 2. Fresh staging dir, swapped in at the end so a failed run never leaves half a bundle.
  const stage = `${OUT}.tmp-${process.pid}`;
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(path.join(stage, 'dist'), { recursive: true });
  const finalOut = OUT;
  // copyTree/jsOut write into the staging dir.
  const target = (rel) => path.join(stage, rel);

  // 3. One JS file: the CLI (sensor/cli.ts dispatches `run`, `analyze`, `check`).
  // sensor/waakhond.ts is the program entry (runs sensor/cli.ts main and sets the exit code).
  const entry = path.resolve(opt('--entry', path.join(ROOT, 'sensor', 'waakhond.ts')));
  let jsBytes = 0;
  if (existsSync(entry)) {
    const esbuild = await import('esbuild');
    const banner = [
      '#!/usr/bin/env node',
      // CJS dependencies bundled into ESM still call require() for node builtins.
      "import { createRequire as __waakhondCreateRequire } from 'node:module';",
      'const require = __waakhondCreateRequire(import.meta.url);',
    ].join('\n');
    let res = null;
    try {
      res = await esbuild.build({
        entryPoints: [entry],
        outfile: target('dist/waakhond.mjs'),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'esm',
        minify: true,
        legalComments: 'linked',
        sourcemap: false,
        external: EXTERNAL,
        banner: { js: banner },
        define: { 'process.env.WAAKHOND_BUNDLE': '"1"' },
        logLevel: 'warning',
        metafile: true,
      });
    } catch {
      // esbuild printed the unresolved imports: parts of the tree have not landed yet.
      note('sensor/waakhond.ts and its imports (esbuild failed, see above)');
    }
    if (res) {
      chmodSync(target('dist/waakhond.mjs'), 0o755);
      jsBytes = statSync(target('dist/waakhond.mjs')).size;
      // A duplicate top-level `require` or a syntax slip shows here, not on the router.
      const chk = spawnSync(process.execPath, ['--check', target('dist/waakhond.mjs')], { encoding: 'utf8' });
      if (chk.status !== 0) throw new Error(`bundle: node --check failed:\n${chk.stderr}`);
      writeFileSync(path.join(OUT_PARENT, 'meta.json'), JSON.stringify(res.metafile));
      // A parent-relative module path left in the output is a dynamic import esbuild could not
      // follow (import(variable)): it resolves against dist/ at run time and fails in every install.
      // (Package metadata bundled as JSON holds "./..." paths; "../" ones come from our sources.)
      const js = readFileSync(target('dist/waakhond.mjs'), 'utf8');
      for (const m of new Set(js.match(/["'`]\.\.\/[^"'`\s]+\.(?:js|mjs|ts)["'`]/g) ?? [])) {
        note(`unbundled relative import ${m} (write it as a literal import('...') so esbuild bundles it)`);
      }
    }
  } else note('sensor/waakhond.ts (no daemon/CLI JS in the bundle)');

  // 4. Built dashboard and compact tables from dist/.
  const copyInto = (rel, destRel = rel) => {
    const src = path.join(ROOT, rel);
    if (!existsSync(src)) { note(rel); return; }
    cpSync(src, target(destRel), {
      recursive: true,
      filter: (p) => statSync(p).isDirectory() || !SKIP_RE.test(p),
    });
  };
  copyInto('dist/web');
  copyInto('dist/data');
  for (const d of DATA_DIRS) copyInto(d);
  copyInto('firmware-scripts/demo/demo-home.pcap');
  // Installers and helpers that run from an unpacked bundle (Pi install, remote capture).
  for (const f of ['firmware-scripts/pi', 'firmware-scripts/remote-capture.sh', 'firmware-scripts/pcap-splice.mjs']) copyInto(f);

  // 5. Launcher, package.json (type: module, version for --version), VERSION and MANIFEST.
  mkdirSync(target('bin'), { recursive: true });
  writeFileSync(target('bin/waakhond'), LAUNCHER, { mode: 0o755 });
  writeFileSync(target('package.json'), `${JSON.stringify({
    name: 'waakhond', version, type: 'module', private: true, license: pkg.license,
    bin: { waakhond: 'dist/waakhond.mjs' }, engines: pkg.engines,
    optionalDependencies: pkg.optionalDependencies ?? {},
  }, null, 2)}\n`);
  const commit = git('rev-parse', '--short=12', 'HEAD');
  writeFileSync(target('VERSION'), `${version}${commit ? ` ${commit}` : ''}\n`);
  const files = walk(stage);
  const manifest = files.map((f) => `${createHash('sha256').update(readFileSync(f.p)).digest('hex')}  ${f.rel}`).join('\n');
  writeFileSync(target('MANIFEST'), `${manifest}\n`);

  rmSync(finalOut, { recursive: true, force: true });
  renameSync(stage, finalOut);

  // 6. Tarball: reproducible (sorted, fixed mtime and owner) so two builds of one commit match.
  let tgzBytes = 0;
  const tgz = path.join(OUT_PARENT, `waakhond-${version}.tar.gz`);
  if (!flag('--no-tar')) {
    const epoch = process.env.SOURCE_DATE_EPOCH ?? (git('log', '-1', '--format=%ct') || '0');
    const tar = spawnSync('tar', [
      '--sort=name', `--mtime=@${epoch}`, '--owner=0', '--group=0', '--numeric-owner',
      '-C', OUT_PARENT, '-cf', '-', 'waakhond',
    ], { maxBuffer: 1 << 30 });
    if (tar.status !== 0) throw new Error(`bundle: tar failed: ${tar.stderr}`);
    writeFileSync(tgz, gzipSync(tar.stdout, { level: 9 }));
    tgzBytes = statSync(tgz).size;
  }

  const total = walk(finalOut).reduce((s, f) => s + f.size, 0);
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const summary = {
    out: path.relative(ROOT, finalOut),
    version,
    js_bytes: jsBytes,
    total_bytes: total,
    tarball: tgzBytes ? path.relative(ROOT, tgz) : null,
    tarball_bytes: tgzBytes,
    missing,
  };
  writeFileSync(path.join(OUT_PARENT, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(`bundle: ${summary.out}: js ${kb(jsBytes)}, total ${kb(total)}, tar.gz ${kb(tgzBytes)}`);
  if (missing.length) {
    console.warn(`bundle: ${missing.length} part(s) missing: ${missing.join(', ')}`);
    if (STRICT) process.exit(2);
  }
}

// POSIX sh launcher: the systemd unit and procd call node directly; this is for people.
const LAUNCHER = `#!/bin/sh
# Runs the Waakhond CLI from this bundle with the first node >= 20 found (also through a symlink
# such as /usr/bin/waakhond: readlink -f works in coreutils and busybox).
self=$(readlink -f -- "$0" 2>/dev/null || printf '%s' "$0")
here=$(CDPATH= cd -- "$(dirname -- "$self")/.." && pwd)
node=\${WAAKHOND_NODE:-$(command -v node)}
if [ -z "$node" ]; then
  echo "waakhond: node (>= 20) not found; set WAAKHOND_NODE or install Node.js 20" >&2
  exit 127
fi
# glibc: a fixed mmap threshold, so freed large blocks (scrypt's 16 MiB per login) go back to the system at once
# instead of staying resident (~20 MB); musl (OpenWrt) ignores it.
MALLOC_MMAP_THRESHOLD_=\${MALLOC_MMAP_THRESHOLD_:-131072}
export MALLOC_MMAP_THRESHOLD_
exec "$node" "$here/dist/waakhond.mjs" "$@"
`;

main().catch((e) => {
  for (const d of readdirSync(OUT_PARENT, { withFileTypes: true })) {
    if (d.name.startsWith('waakhond.tmp-')) rmSync(path.join(OUT_PARENT, d.name), { recursive: true, force: true });
  }
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
