// Helpers for the durability tests: a real small tmpfs (root only), filling it up, bundling a child entry, stray temporaries.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe } from 'vitest';

const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** Folders made by tmp(): removed when the test file ends (nothing left in /tmp). */
const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) try { rmSync(d, { recursive: true, force: true }); } catch { /* still mounted: reported by its test */ }
});

export const tmp = (prefix = 'waakhond-rel-') => {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(d);
  return d;
};

/** Can this process mount a tmpfs (root, and a sandbox that allows it)? Tried once, for real. */
function canMount(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  const dir = tmp('waakhond-mnt-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `mount -t tmpfs failed: ${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const MOUNT_PROBLEM = canMount();

/** describe() for suites that mount a tmpfs: skipped loudly where mounting is not allowed, failing in CI (root there). */
export function describeTmpfs(name: string, fn: () => void): void {
  if (!MOUNT_PROBLEM) { describe(name, fn); return; }
  if (IN_CI) {
    describe(name, () => { throw new Error(`${name}: cannot mount a tmpfs (${MOUNT_PROBLEM}); CI runs as root and must run this`); });
    return;
  }
  console.warn(`\n*** SKIPPING "${name}": cannot mount a tmpfs (${MOUNT_PROBLEM}) ***\n`);
  describe.skip(name, fn);
}

/** Mounts a tmpfs of `size` (e.g. "1m") on a new folder; returns it and an unmount function. */
export function mountTmpfs(size: string): { dir: string; unmount: () => void } {
  const dir = tmp('waakhond-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  return {
    dir,
    unmount: () => {
      try { execFileSync('umount', ['-l', dir], { stdio: 'pipe' }); } catch { /* already gone */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes `file` until the filesystem says ENOSPC; returns the bytes it took. */
export function fillUp(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(4096, 0x55);
  let total = 0;
  try {
    for (;;) {
      let n: number;
      try { n = writeSync(fd, chunk); } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw err;
      }
      if (n <= 0) break;
      total += n;
      if (n < chunk.length) continue; // a short write: the next one says ENOSPC
    }
  } finally {
    closeSync(fd);
  }
  // Small writes fill what 4 KiB chunks left over.
  const fd2 = openSync(file, 'a');
  try { for (;;) { try { if (writeSync(fd2, Buffer.alloc(1)) <= 0) break; total++; } catch { break; } } } finally { closeSync(fd2); }
  return total;
}

/** Temporaries in a folder (any ".tmp" name). */
export function temporaries(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.tmp'));
}

/** Bundles a TypeScript child entry with esbuild (Node 20 cannot run TypeScript). */
export async function bundle(entry: string, outDir = tmp('waakhond-bundle-')): Promise<string> {
  const out = path.join(outDir, `${path.basename(entry, '.ts')}.mjs`);
  await build({
    entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: out, external: ['pcap'], logLevel: 'error',
    banner: { js: "import { createRequire as __wkCreateRequire } from 'node:module'; const require = __wkCreateRequire(import.meta.url);" },
  });
  return out;
}

export const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
