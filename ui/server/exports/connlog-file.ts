// Saves and loads the connection log as <data dir>/connlog.bin (compact columns with a checksum, connlog-codec.ts),
// so `waakhond lookup --data DIR` can answer from what the daemon saw; the daemon calls saveConnLog now and then and
// on shutdown. Writes are all-or-nothing (durable-write.ts): a full disk keeps the previous file and leaves no
// temporary; an unchanged ring is not written again (flash wear). connlog.json of older versions still loads.
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { ConnLog } from '../../../sensor/connlog.js';
import { decodeConnLog, encodeConnLog, encodeConnLogAsync, isConnLogBinary } from '../../../sensor/connlog-codec.js';
import { cleanTemporaries, writeFileDurably, writeFileDurablyAsync } from '../store/durable-write.js';
import { SaveHealth, type SaveProblem } from '../store/save-health.js';

export const CONNLOG_FILE = 'connlog.bin';
/** The JSON file of versions before the compact format: read when there is no connlog.bin, removed after a save. */
export const CONNLOG_LEGACY_FILE = 'connlog.json';

export interface SaveConnLogOptions {
  fsync?: boolean;
  log?: (msg: string) => void;
}

interface Saved { mark: number; file: string }
/** What each ring last wrote where: a ring that has not changed since is not written again. */
const lastSaved = new WeakMap<ConnLog, Saved>();
/** Save health per file (one failure episode logged once), for /api/health. */
const healthByFile = new Map<string, SaveHealth>();
/** Flash wear per process: files written and their bytes, saves skipped as unchanged. */
export const connlogWear = { writes: 0, bytes_written: 0, unchanged: 0 };

function changeMark(log: ConnLog): number {
  return log.stats.entries + log.stats.overwritten;
}

function healthOf(file: string, log?: (msg: string) => void): SaveHealth {
  let h = healthByFile.get(file);
  if (!h) {
    h = new SaveHealth('connlog', log ?? ((m) => console.error(m)));
    if (healthByFile.size > 64) healthByFile.clear(); // one per data dir; tests make many
    healthByFile.set(file, h);
  }
  return h;
}

/** Why saving the connection log in dataDir fails and since when, or null while it works. */
export function connlogSaveProblem(dataDir: string): SaveProblem | null {
  return healthByFile.get(path.join(dataDir, CONNLOG_FILE))?.problem ?? null;
}

/** Writes the ring (unless unchanged since its last save here). Throws when it could not: the old file is then intact. */
export function saveConnLog(log: ConnLog, dataDir: string, opts: SaveConnLogOptions = {}): string {
  const file = path.join(dataDir, CONNLOG_FILE);
  const mark = changeMark(log);
  if (unchanged(log, file, mark)) return file;
  const bytes = encodeConnLog(log);
  try {
    writeFileDurably(file, bytes, { fsync: opts.fsync });
  } catch (err) {
    healthOf(file, opts.log).failed(file, err);
    throw err;
  }
  written(log, dataDir, file, mark, bytes.length, opts);
  return file;
}

/**
 * saveConnLog with the compression, the writing and the fsyncs off the event loop (the daemon's timed saves).
 * `current()` is asked just before the rename: false when a newer save was made meanwhile (saveConnLog at
 * shutdown), which then stands. Rejects like saveConnLog throws.
 */
export async function saveConnLogAsync(log: ConnLog, dataDir: string, current: () => boolean, opts: SaveConnLogOptions = {}): Promise<void> {
  const file = path.join(dataDir, CONNLOG_FILE);
  const mark = changeMark(log);
  if (unchanged(log, file, mark)) return;
  const bytes = await encodeConnLogAsync(log);
  let replaced: boolean;
  try {
    replaced = await writeFileDurablyAsync(file, bytes, { fsync: opts.fsync, current });
  } catch (err) {
    healthOf(file, opts.log).failed(file, err);
    throw err;
  }
  if (replaced) written(log, dataDir, file, mark, bytes.length, opts);
}

function unchanged(log: ConnLog, file: string, mark: number): boolean {
  const prev = lastSaved.get(log);
  if (!prev || prev.file !== file || prev.mark !== mark || !existsSync(file)) return false;
  connlogWear.unchanged++;
  return true;
}

function written(log: ConnLog, dataDir: string, file: string, mark: number, bytes: number, opts: SaveConnLogOptions): void {
  healthOf(file, opts.log).ok();
  lastSaved.set(log, { mark, file });
  connlogWear.writes++;
  connlogWear.bytes_written += bytes;
  const legacy = path.join(dataDir, CONNLOG_LEGACY_FILE);
  if (existsSync(legacy)) try { unlinkSync(legacy); } catch { /* read-only: it is only read when connlog.bin is absent */ }
}

/** Removes temporaries of saves a kill -9 interrupted; returns their names. */
export function cleanConnLogTemporaries(dataDir: string): string[] {
  return [...cleanTemporaries(path.join(dataDir, CONNLOG_FILE)), ...cleanTemporaries(path.join(dataDir, CONNLOG_LEGACY_FILE))];
}

/** The file loadConnLog reads in dataDir (connlog.bin, else an older connlog.json), or null when there is none. */
export function connLogPath(dataDir: string): string | null {
  for (const name of [CONNLOG_FILE, CONNLOG_LEGACY_FILE]) {
    const file = path.join(dataDir, name);
    if (existsSync(file)) return file;
  }
  return null;
}

export function loadConnLog(dataDir: string, capacity?: number): ConnLog {
  const file = connLogPath(dataDir);
  if (!file) {
    throw new Error(`no connection log in ${dataDir} (the daemon writes ${CONNLOG_FILE} there; or query it with GET /api/lookup)`);
  }
  try {
    const buf = readFileSync(file);
    if (isConnLogBinary(buf)) {
      const log = decodeConnLog(buf, capacity);
      // What the file holds: saving this ring before anything new arrives would write the same bytes again.
      if (log.capacity === buf.readUInt32LE(8)) lastSaved.set(log, { mark: changeMark(log), file });
      return log;
    }
    return ConnLog.fromJSON(JSON.parse(buf.toString('utf8')), capacity);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}
