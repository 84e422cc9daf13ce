// The waakhond CLI bundled as dist/waakhond.mjs is (Node 20 cannot run TypeScript), for tests that run it as a process.
// It is written under node_modules/.cache so that the native libpcap binding (external) resolves from the project.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../helpers/shared.js';

export async function bundleCli(tag: string): Promise<{ file: string; remove: () => void }> {
  const dir = path.join(PROJECT_ROOT, 'node_modules', '.cache', `waakhond-${tag}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'waakhond.mjs');
  await build({
    entryPoints: [path.join(PROJECT_ROOT, 'sensor/waakhond.ts')], bundle: true, platform: 'node', format: 'esm', outfile: file,
    external: ['pcap'], logLevel: 'error',
    banner: { js: "import { createRequire as __wkCreateRequire } from 'node:module'; const require = __wkCreateRequire(import.meta.url);" },
  });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
