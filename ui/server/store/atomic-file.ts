// A lowdb adapter that writes JSON durably (durable-write.ts: every byte, fsync, rename, fsync of the folder; a
// failed write keeps the old file and leaves no temporary); a corrupt file is moved aside.
//
// Why not lowdb's JSONFile: its writer (steno) writes a temp file and renames it but never fsyncs,
// so after a power cut on a router the rename can survive while the data does not (a zero-length
// store). POSIX rename(2) is atomic; fsync(2) before it makes the new content durable first.
import { createHash, type Hash } from 'node:crypto';
import { readFileSync, renameSync, existsSync } from 'node:fs';
import type { Adapter } from 'lowdb';
import { cleanTemporaries, writeFileDurably, writeFileDurablyAsync } from './durable-write.js';
import { SaveHealth } from './save-health.js';
import { jsonChunks } from './json-pieces.js';

/** A document's JSON as measure() found it: UTF-8 bytes, sha1 (base64), and whether it passed the limit. */
export interface JsonMeasure { bytes: number; hash: string; over: boolean }

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
   * Size (UTF-8 bytes) and hash of data's JSON, made piece by piece and dropped as it goes (json-pieces.ts): no string
   * of the whole document exists. Stops counting once over `limit` (over: true, hash meaningless then).
   */
  measure(data: T, limit = Infinity): JsonMeasure {
    const h = createHash('sha1');
    let bytes = 0;
    for (const chunk of jsonChunks(data)) {
      bytes += Buffer.byteLength(chunk, 'utf8');
      if (bytes > limit) return { bytes, hash: '', over: true };
      h.update(chunk, 'utf8');
    }
    return { bytes, hash: h.digest('base64'), over: false };
  }

  /**
   * Synchronous on purpose: a signal handler can flush without awaiting. Throws when the file could not be replaced
   * (disk full, I/O error): the old file is then intact. Written chunk by chunk as it is serialised (the whole
   * document is never one string or buffer); `hash`: measure()'s hash of data, when the caller has it already (the
   * store measured it for its size cap), so an unchanged save is known before anything is written.
   */
  writeSync(data: T, hash: string = this.measure(data).hash): void {
    if (this.refuseWrites) return;
    if (this.unchanged(hash)) return;
    const tally = { bytes: 0 };
    try {
      writeFileDurably(this.file, chunksOf(data, tally, null), { fsync: this.opts.fsync });
    } catch (err) {
      this.health.failed(this.file, err);
      throw err;
    }
    this.written(hash, tally.bytes);
  }

  /**
   * writeSync's save with the writing and fsyncs off the event loop (the store's timed saves): each chunk is
   * serialised when the previous one is written, so the document may change between chunks (json-pieces.ts says
   * what a table changed meanwhile gets); the hash kept is that of what was written. `current()` is asked just
   * before the rename: false when a newer save was made meanwhile, which then stands. Rejects like writeSync throws.
   */
  async writeAsync(data: T, hash: string, current: () => boolean): Promise<void> {
    if (this.refuseWrites) return;
    if (this.unchanged(hash)) return;
    const tally = { bytes: 0 };
    const h = createHash('sha1');
    let replaced: boolean;
    try {
      replaced = await writeFileDurablyAsync(this.file, chunksOf(data, tally, h), { fsync: this.opts.fsync, current });
    } catch (err) {
      this.health.failed(this.file, err);
      throw err;
    }
    if (replaced) this.written(h.digest('base64'), tally.bytes);
  }

  /** The file holds this content already (hash of its JSON): nothing to write (flash wear). */
  private unchanged(h: string): boolean {
    if (h !== this.lastHash || !existsSync(this.file)) return false;
    this.wear.unchanged++;
    this.health.ok();
    return true;
  }

  private written(h: string, bytes: number): void {
    this.lastHash = h;
    this.wear.writes++;
    this.wear.bytes_written += bytes;
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

/** The UTF-8 bytes of data's JSON, chunk by chunk, counted (and hashed, when `h` is given) as they are made. */
function* chunksOf(data: unknown, tally: { bytes: number }, h: Hash | null): Generator<Buffer, void, undefined> {
  for (const chunk of jsonChunks(data)) {
    const buf = Buffer.from(chunk, 'utf8');
    h?.update(buf);
    tally.bytes += buf.length;
    yield buf;
  }
}
