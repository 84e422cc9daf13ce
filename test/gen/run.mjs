// Run a generator from the command line: bundles test/gen/cli.ts with esbuild (Node 20 cannot run TypeScript) and runs it.
//   node test/gen/run.mjs demo [out.pcap]        -> firmware-scripts/demo/demo-home.pcap
//   node test/gen/run.mjs case <name> <out.pcap> -> a test case's capture
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
process.env.WAAKHOND_ROOT = path.resolve(here, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'waakhond-gen-'));
const out = path.join(dir, 'cli.mjs');
try {
  await build({ entryPoints: [path.join(here, 'cli.ts')], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });
  const mod = await import(pathToFileURL(out).href);
  process.exitCode = await mod.main(process.argv.slice(2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
