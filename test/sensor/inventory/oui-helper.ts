// Tests need the compact OUI table, a build product: make it (like the build does) when it is missing.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../helpers/shared.js';

export function ensureOuiTable(): void {
  if (existsSync(path.join(PROJECT_ROOT, 'dist', 'data', 'oui.txt'))) return;
  execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'firmware-scripts', 'oui', 'build-oui.mjs'), '--quiet'], { cwd: PROJECT_ROOT });
}
