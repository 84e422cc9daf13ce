// A TypeScript entry bundled to one ESM file for tests that run it as a process (Node 20 cannot run
// TypeScript). The native libpcap binding stays external: write `outfile` inside the project so it
// resolves from node_modules (ESM ignores NODE_PATH).
import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from './shared.js';

export async function bundleEntry(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [path.join(PROJECT_ROOT, entry)], bundle: true, platform: 'node', format: 'esm', outfile,
    external: ['pcap'], logLevel: 'error',
    banner: { js: "import { createRequire as __wkCreateRequire } from 'node:module'; const require = __wkCreateRequire(import.meta.url);" },
  });
}

/**
 * The test daemon (test/ui/server/daemon-entry.ts) bundled into a fresh folder test/.tmp/<prefix>XXXXXX,
 * inside the project for the reason above. The caller removes `dir`.
 */
export async function bundleDaemon(prefix: string): Promise<{ dir: string; entry: string }> {
  mkdirSync(path.join(PROJECT_ROOT, 'test', '.tmp'), { recursive: true });
  const dir = mkdtempSync(path.join(PROJECT_ROOT, 'test', '.tmp', prefix));
  const entry = path.join(dir, 'daemon.mjs');
  await bundleEntry('test/ui/server/daemon-entry.ts', entry);
  return { dir, entry };
}
