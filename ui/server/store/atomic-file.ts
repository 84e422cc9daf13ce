// A lowdb adapter that writes JSON durably: temp file, fsync, rename, fsync of the folder; a corrupt file is moved aside.
//
// Why not lowdb's JSONFile: its writer (steno) writes a temp file and renames it but never fsyncs,
// so after a power cut on a router the rename can survive while the data does not (a zero-length
// store). POSIX rename(2) is atomic; fsync(2) before it makes the new content durable first.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Adapter } from 'lowdb';

export interface AtomicJsonFileOptions<T> {
  /** Checks the parsed JSON; return a reason string to refuse it (treated as corrupt). */
  validate?: (data: unknown) => string | null;
  log?: (msg: string) => void;
  /** For tests: skip fsync (the kill -9 test does not need it; power cuts do). */
  fsync?: boolean;
  /** Called with the parsed data that passed validation (lets callers migrate). */
  migrate?: (data: unknown) => T;
}

export class AtomicJsonFile<T> implements Adapter<T> {
  readonly file: string;
  /** Where the last corrupt file was moved, if one was. */
  movedAside: string | null = null;
  /** Set when a bad file could not be moved aside: never overwrite what we could not keep. */
  refuseWrites = false;
  private readonly opts: AtomicJsonFileOptions<T>;
  private seq = 0;

  constructor(file: string, opts: AtomicJsonFileOptions<T> = {}) {
    this.file = file;
    this.opts = opts;
  }

  async read(): Promise<T | null> {
    return this.readSync();
  }

  readSync(): T | null {
    if (!existsSync(this.file)) return null;
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      this.moveAside(`unreadable (${(err as Error).message})`);
      return null;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      this.moveAside(`not valid JSON (${(err as Error).message})`);
      return null;
    }
    const reason = this.opts.validate?.(data) ?? null;
    if (reason) {
      this.moveAside(reason);
      return null;
    }
    return this.opts.migrate ? this.opts.migrate(data) : (data as T);
  }

  async write(data: T): Promise<void> {
    this.writeSync(data);
  }

  /** Synchronous on purpose: one small file, and a signal handler can flush without awaiting. */
  writeSync(data: T): void {
    if (this.refuseWrites) return;
    const dir = path.dirname(this.file);
    mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `.${path.basename(this.file)}.${process.pid}.${++this.seq}.tmp`);
    const text = JSON.stringify(data);
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      if (this.opts.fsync !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    if (this.opts.fsync !== false) {
      // The rename lives in the directory entry: sync the directory too (ext4/f2fs/ubifs).
      try {
        const dfd = openSync(dir, 'r');
        try { fsyncSync(dfd); } finally { closeSync(dfd); }
      } catch { /* some filesystems refuse fsync on a directory: the data itself is synced */ }
    }
  }

  private moveAside(reason: string): void {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const aside = `${this.file}.corrupt-${stamp}`;
    try {
      renameSync(this.file, aside);
      this.movedAside = aside;
      this.opts.log?.(`store: ${this.file} is ${reason}; moved it aside to ${aside} (kept) and starting with an empty store`);
    } catch (err) {
      this.refuseWrites = true;
      this.opts.log?.(`store: ${this.file} is ${reason} and could not be moved aside (${(err as Error).message}); running with an empty store in memory and NOT writing over it`);
    }
  }
}
