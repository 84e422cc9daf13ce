// Run a TypeScript tool (exporting main(args)) under Node 20: bundle it with esbuild, then import it.
//   node test/rules/tools/run.mjs test/rules/tools/corpus.ts [args...]
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
process.env.WAAKHOND_HOME ??= root;
process.env.WAAKHOND_ROOT ??= root;
const [entry, ...args] = process.argv.slice(2);
const dir = mkdtempSync(path.join(tmpdir(), 'waakhond-tool-'));
const out = path.join(dir, 'tool.mjs');
try {
  await build({ entryPoints: [path.resolve(entry)], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });
  const mod = await import(pathToFileURL(out).href);
  process.exitCode = await mod.main(args);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
