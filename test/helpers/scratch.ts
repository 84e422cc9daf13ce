// Temporary directories for tests, removed when the test file is done: a run leaves nothing in /tmp.
// Importing this module registers the clean-up (afterAll) on the importing test file; vitest evaluates
// it once per file, at collection time. maxRetries: a child process may still be closing a file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

/** A new empty directory under the system temporary directory, removed after the test file. */
export function scratchDir(prefix: string): string {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** Removes every scratch directory made so far (also run by the afterAll below). */
export function removeScratch(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

afterAll(removeScratch);
