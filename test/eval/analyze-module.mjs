// Loads sensor/analyze.ts for the evaluation scripts: bundled to a temporary module the way the CLI
// bundle is built, with import.meta.url pointing at the source so data files resolve as in the repo.
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export async function loadAnalyzeModule(root, prefix = 'wk-eval-') {
  const tmp = mkdtempSync(path.join(tmpdir(), prefix));
  const outfile = path.join(tmp, 'analyze.mjs');
  await build({
    entryPoints: [path.join(root, 'sensor', 'analyze.ts')], outfile, bundle: true, platform: 'node', format: 'esm',
    target: 'node20', external: ['pcap'], logLevel: 'error',
    banner: { js: "import { createRequire as __wkCreateRequire } from 'node:module'; const require = __wkCreateRequire(import.meta.url);" },
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(path.join(root, 'sensor', 'analyze.ts')).href) },
  });
  return { module: await import(pathToFileURL(outfile).href), tmp };
}
