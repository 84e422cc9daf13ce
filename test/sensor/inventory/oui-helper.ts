// Tests need the compact OUI table, a build product: make it (like the build does) when it is missing or older.
import { existsSync, openSync, readSync, closeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../helpers/shared.js';

/** The format build-oui.mjs writes now: a table of an older build is made again. */
const CURRENT = 'waakhond-oui 3 ';

function header(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(CURRENT.length);
    return b.toString('latin1', 0, readSync(fd, b, 0, b.length, 0));
  } finally {
    closeSync(fd);
  }
}

export function ensureOuiTable(): void {
  const file = path.join(PROJECT_ROOT, 'dist', 'data', 'oui.txt');
  if (existsSync(file) && header(file) === CURRENT) return;
  execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'firmware-scripts', 'oui', 'build-oui.mjs'), '--quiet'], { cwd: PROJECT_ROOT });
}
