// Access to ../shared (real captures): tests that need it skip loudly when it is absent,
// and fail when it is absent in CI (CI=true), so a missing corpus never passes silently (needs.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describeNeeds } from './needs.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SHARED_DIR = process.env.WAAKHOND_SHARED ?? path.resolve(PROJECT_ROOT, '..', 'shared');
export const PCAPS_DIR = path.join(SHARED_DIR, 'pcaps');
export const HAVE_SHARED = existsSync(path.join(PCAPS_DIR, 'README.md'));
/**
 * What the suite downloads once and keeps (the Pi test's Debian rootfs): test/.cache, git-ignored, kept
 * across `npm ci` (unlike node_modules/.cache). WAAKHOND_TEST_CACHE moves it, e.g. to a CI cache volume.
 */
export const TEST_CACHE = process.env.WAAKHOND_TEST_CACHE ?? path.join(PROJECT_ROOT, 'test', '.cache');

/** Absolute path of a capture under ../shared/pcaps. */
export function pcap(rel: string): string {
  return path.join(PCAPS_DIR, rel);
}

/** describe() for suites that need ../shared/pcaps. */
export function describeShared(name: string, fn: () => void): void {
  describeNeeds(name, HAVE_SHARED ? null : `../shared/pcaps (not found at ${PCAPS_DIR}; CI must run with ../shared beside the clone)`, fn);
}
