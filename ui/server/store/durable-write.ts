// All-or-nothing file replacement for the store and the connection log: temp file, every byte written, fsync,
// rename, fsync of the folder; on any failure the temp file is removed and the old file stays as it was.
//
// Why each step: write(2) may write fewer bytes than asked without an error (a nearly full tmpfs wrote 24,576 of
// 100,000 bytes, issue #14), so the write loops and a write that makes no progress is ENOSPC. fsync before the
// rename makes the new bytes durable before the name points at them; the folder's fsync makes the rename durable
// (ext4/f2fs/ubifs). A kill -9 between open and rename leaves a temp file: the next start removes it
// (cleanTemporaries), so a router's small flash does not fill with them.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export interface DurableWriteOptions {
  /** Skip the fsyncs (tests that only need atomicity); power cuts need them. */
  fsync?: boolean;
  mode?: number;
}

let seq = 0;

/** The temporary a write of `file` uses: hidden, named after the file, the writing process and a counter. */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++seq}.tmp`);
}

/**
 * What a durable write writes: one text or buffer, or chunks made while it writes (the store's JSON piece by piece,
 * so the whole document never exists at once: issue #15). A chunk iterator that throws fails the write like an I/O
 * error does (old file kept, no temporary left).
 */
export type DurableData = string | Uint8Array | Iterable<Uint8Array>;

function chunksOf(data: DurableData): Iterable<Uint8Array> {
  if (typeof data === 'string') return [Buffer.from(data, 'utf8')];
  if (data instanceof Uint8Array) return [data];
  return data;
}

/** No progress and no error: the filesystem is full in all but name (never loop forever on it). */
function noProgress(written: number, tmp: string): Error {
  return Object.assign(new Error(`ENOSPC: no room after ${written} bytes written to ${tmp}`), { code: 'ENOSPC' });
}

/** Replaces `file` with `data` or throws, leaving the old file and no temporary behind. */
export function writeFileDurably(file: string, data: DurableData, opts: DurableWriteOptions = {}): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = tempNameFor(file);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'w', opts.mode ?? 0o600);
    let total = 0;
    for (const buf of chunksOf(data)) {
      let off = 0;
      while (off < buf.length) {
        const n = writeSync(fd, buf, off, buf.length - off);
        if (n <= 0) throw noProgress(total + off, tmp);
        off += n;
      }
      total += off;
    }
    if (opts.fsync !== false) fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, file);
  } catch (err) {
    if (fd !== null) try { closeSync(fd); } catch { /* already failing */ }
    try { unlinkSync(tmp); } catch { /* never created, or already renamed */ }
    throw err;
  }
  if (opts.fsync !== false) syncDir(dir);
}

/**
 * writeFileDurably with the slow steps (writing, the file's fsync, the folder's fsync) off the event loop:
 * on a router's flash an fsync can take hundreds of milliseconds, and the dashboard and the capture must
 * not wait for it (issue #14). The rename stays synchronous, so that at that moment `current()` can say
 * whether this content is still the newest: a synchronous save made meanwhile wins and this temporary is
 * removed. Resolves true when the file was replaced, false when superseded; rejects (the old file intact,
 * no temporary left) like writeFileDurably throws.
 */
export async function writeFileDurablyAsync(file: string, data: DurableData,
  opts: DurableWriteOptions & { current?: () => boolean } = {}): Promise<boolean> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = tempNameFor(file);
  let fh: FileHandle | null = null;
  try {
    fh = await open(tmp, 'w', opts.mode ?? 0o600);
    let total = 0;
    // A chunk iterator makes its next chunk only after the last one was written: the event loop runs in between.
    for (const buf of chunksOf(data)) {
      let off = 0;
      while (off < buf.length) {
        const { bytesWritten } = await fh.write(buf, off, buf.length - off);
        if (bytesWritten <= 0) throw noProgress(total + off, tmp);
        off += bytesWritten;
      }
      total += off;
    }
    if (opts.fsync !== false) await fh.sync();
    await fh.close();
    fh = null;
    if (opts.current !== undefined && !opts.current()) {
      unlinkSync(tmp);
      return false;
    }
    renameSync(tmp, file);
  } catch (err) {
    if (fh !== null) await fh.close().catch(() => undefined);
    try { unlinkSync(tmp); } catch { /* never created, or already renamed */ }
    throw err;
  }
  if (opts.fsync !== false) await syncDirAsync(dir);
  return true;
}

/** syncDir off the event loop. */
async function syncDirAsync(dir: string): Promise<void> {
  let dh: FileHandle;
  try {
    dh = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await dh.sync();
  } catch (err) {
    if (!cannotSyncDir(err)) throw err;
  } finally {
    await dh.close().catch(() => undefined);
  }
}

/** A folder's fsync refused because the filesystem does not do it (fine), not an I/O error (not fine). */
function cannotSyncDir(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EINVAL' || code === 'ENOTSUP' || code === 'EISDIR' || code === 'EBADF' || code === 'EPERM';
}

/** fsync of a folder: filesystems that cannot (EINVAL, ENOTSUP, EISDIR on some) are fine; an I/O error is not. */
function syncDir(dir: string): void {
  let dfd: number;
  try {
    dfd = openSync(dir, 'r');
  } catch {
    return; // a folder we cannot open for reading (odd mounts): the file itself is synced
  }
  try {
    fsyncSync(dfd);
  } catch (err) {
    if (!cannotSyncDir(err)) throw err;
  } finally {
    closeSync(dfd);
  }
}

/**
 * True while another process with this id runs (signal 0 only checks). Our own id is never a live writer: temporaries
 * are cleaned when a file is first read, at start, before any save of ours (and after a reboot a daemon may get its
 * old id back).
 */
function alive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporaries of `file` left by a process that no longer runs (a kill -9 or a power cut mid-write):
 * ".<name>.<pid>.<n>.tmp", and "<name>.<pid>.tmp" of older versions. A live writer's temporaries are left alone.
 * Returns the names removed.
 */
export function cleanTemporaries(file: string): string[] {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const esc = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ours = new RegExp(`^(?:\\.${esc}\\.(\\d+)\\.\\d+|${esc}\\.(\\d+))\\.tmp$`);
  const removed: string[] = [];
  for (const n of names) {
    const m = ours.exec(n);
    if (!m) continue;
    const pid = Number(m[1] ?? m[2]);
    if (alive(pid)) continue;
    try {
      unlinkSync(path.join(dir, n));
      removed.push(n);
    } catch { /* gone already, or not ours to remove */ }
  }
  return removed;
}
