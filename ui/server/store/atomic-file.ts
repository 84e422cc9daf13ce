// A lowdb adapter that writes JSON durably (durable-write.ts: every byte, fsync, rename, fsync of the folder; a
// failed write keeps the old file and leaves no temporary); a corrupt file is moved aside.
//
// Why not lowdb's JSONFile: its writer (steno) writes a temp file and renames it but never fsyncs,
// so after a power cut on a router the rename can survive while the data does not (a zero-length
// store). POSIX rename(2) is atomic; fsync(2) before it makes the new content durable first.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, existsSync } from 'node:fs';
import type { Adapter } from 'lowdb';
import { cleanTemporaries, writeFileDurably, writeFileDurablyAsync } from './durable-write.js';
import { SaveHealth } from './save-health.js';

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
  /** Whether saving works (a full disk is an episode: logged once, shown in /api/health). */
  readonly health: SaveHealth;
  /** Flash wear: bytes and files written, and saves skipped because the content had not changed. */
  readonly wear = { writes: 0, bytes_written: 0, unchanged: 0, temporaries_removed: 0 };
  private readonly opts: AtomicJsonFileOptions<T>;
  /** Hash of what the file holds now (read or written by us): an identical save is not written again. */
  private lastHash: string | null = null;

  constructor(file: string, opts: AtomicJsonFileOptions<T> = {}) {
    this.file = file;
    this.opts = opts;
    this.health = new SaveHealth('store', opts.log ?? (() => {}));
  }

  async read(): Promise<T | null> {
    return this.readSync();
  }

  readSync(): T | null {
    // Temporaries of a writer that was killed mid-save: never the store, only wasted flash.
    const removed = cleanTemporaries(this.file);
    if (removed.length) {
      this.wear.temporaries_removed += removed.length;
      this.opts.log?.(`store: removed ${removed.length} temporary file(s) left by an interrupted save (${removed.slice(0, 3).join(', ')}${removed.length > 3 ? ', ...' : ''})`);
    }
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
    this.lastHash = hash(text);
    return this.opts.migrate ? this.opts.migrate(data) : (data as T);
  }

  async write(data: T): Promise<void> {
    this.writeSync(data);
  }

  /**
   * Synchronous on purpose: one small file, and a signal handler can flush without awaiting.
   * Throws when the file could not be replaced (disk full, I/O error): the old file is then intact.
   * `text`: data's JSON when the caller has it already (the store measured it for its size cap).
   */
  writeSync(data: T, text: string = JSON.stringify(data)): void {
    if (this.refuseWrites) return;
    const h = hash(text);
    if (this.unchanged(h)) return;
    try {
      writeFileDurably(this.file, text, { fsync: this.opts.fsync });
    } catch (err) {
      this.health.failed(this.file, err);
      throw err;
    }
    this.written(h, text);
  }

  /**
   * writeSync's save with the writing and fsyncs off the event loop (the store's timed saves). `current()`
   * is asked just before the rename: false when a newer save was made meanwhile, which then stands.
   * Rejects like writeSync throws.
   */
  async writeAsync(text: string, current: () => boolean): Promise<void> {
    if (this.refuseWrites) return;
    const h = hash(text);
    if (this.unchanged(h)) return;
    let replaced: boolean;
    try {
      replaced = await writeFileDurablyAsync(this.file, text, { fsync: this.opts.fsync, current });
    } catch (err) {
      this.health.failed(this.file, err);
      throw err;
    }
    if (replaced) this.written(h, text);
  }

  /** The file holds this content already (hash of the text): nothing to write (flash wear). */
  private unchanged(h: string): boolean {
    if (h !== this.lastHash || !existsSync(this.file)) return false;
    this.wear.unchanged++;
    this.health.ok();
    return true;
  }

  private written(h: string, text: string): void {
    this.lastHash = h;
    this.wear.writes++;
    this.wear.bytes_written += Buffer.byteLength(text);
    this.health.ok();
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

function hash(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}
