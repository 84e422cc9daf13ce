// The waakhond CLI bundled as dist/waakhond.mjs is (Node 20 cannot run TypeScript), for tests that run it as a process.
// It is written under node_modules/.cache so that the native libpcap binding (external) resolves from the project.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { bundleEntry } from '../helpers/bundle-entry.js';
import { PROJECT_ROOT } from '../helpers/shared.js';

export async function bundleCli(tag: string): Promise<{ file: string; remove: () => void }> {
  const dir = path.join(PROJECT_ROOT, 'node_modules', '.cache', `waakhond-${tag}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'waakhond.mjs');
  await bundleEntry('sensor/waakhond.ts', file);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
