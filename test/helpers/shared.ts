// Access to ../shared (real captures): tests that need it skip loudly when it is absent,
// and fail when it is absent in CI (CI=true), so a missing corpus never passes silently.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe } from 'vitest';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SHARED_DIR = process.env.WAAKHOND_SHARED ?? path.resolve(PROJECT_ROOT, '..', 'shared');
export const PCAPS_DIR = path.join(SHARED_DIR, 'pcaps');
export const HAVE_SHARED = existsSync(path.join(PCAPS_DIR, 'README.md'));
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** Absolute path of a capture under ../shared/pcaps. */
export function pcap(rel: string): string {
  return path.join(PCAPS_DIR, rel);
}

/** describe() for suites that need ../shared/pcaps. */
export function describeShared(name: string, fn: () => void): void {
  if (HAVE_SHARED) {
    describe(name, fn);
    return;
  }
  if (IN_CI) {
    describe(name, () => {
      throw new Error(`../shared/pcaps is missing at ${PCAPS_DIR}: CI must run with ../shared beside the clone`);
    });
    return;
  }
  console.warn(`\n*** SKIPPING "${name}": ../shared/pcaps not found at ${PCAPS_DIR} ***\n`);
  describe.skip(name, fn);
}
