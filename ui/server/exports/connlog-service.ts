// The daemon's connection log in one piece: the ring as a pipeline sink, GET /api/lookup, and periodic saving to
// <data dir>/connlog.bin (loaded again at start) so abuse lookups survive a restart and work with `lookup --data`.
// A failed save (disk full) keeps the previous file, is logged once and retried with back-off (connlog-file.ts).
import type { Hono } from 'hono';
import { renameSync } from 'node:fs';
import path from 'node:path';
import { ConnLog } from '../../../sensor/connlog.js';
import type { EventSink } from '../../../sensor/events.js';
import { cleanConnLogTemporaries, connLogPath, connlogSaveProblem, loadConnLog, saveConnLog, saveConnLogAsync } from './connlog-file.js';
import { lookupRoutes } from './lookup-route.js';
import type { DescribeDevice } from './lookup.js';
import type { SaveProblem } from '../store/save-health.js';

export interface ConnLogServiceOptions {
  /** Where connlog.bin lives; null = memory only. */
  dataDir: string | null;
  /** Ring size (default 100,000 connections: 3.6 MB in memory, well under 1 MB on disk for typical traffic). */
  capacity?: number;
  /** Save at most this often when something changed (default 300 s); 0 = only when save() or close() is called. */
  saveEveryS?: number;
  /** fsync the file and its folder (default true; power cuts need it). */
  fsync?: boolean;
  describe?: DescribeDevice;
  log: (msg: string) => void;
}

export interface ConnLogService {
  readonly connlog: ConnLog;
  /** Add to the pipeline's sinks. */
  readonly observe: EventSink;
  /** Mount with app.route('/', service.routes) behind the session check (GET /api/lookup). */
  readonly routes: Hono;
  /** Saves now if the ring changed (shutdown); a failure is kept in saveProblem and retried with back-off, never thrown. */
  save(): void;
  /** The timed save: as save(), with the compression, writing and fsyncs off the event loop. */
  saveTimed(): void;
  /** Why saving fails and since when, or null while it works. */
  readonly saveProblem: SaveProblem | null;
  close(): void;
}

export function startConnLog(opts: ConnLogServiceOptions): ConnLogService {
  const capacity = opts.capacity ?? 100_000;
  let connlog = new ConnLog(capacity);
  const dir = opts.dataDir;
  if (dir) {
    const removed = cleanConnLogTemporaries(dir);
    if (removed.length) opts.log(`connlog: removed ${removed.length} temporary file(s) left by an interrupted save`);
  }
  const file = dir ? connLogPath(dir) : null;
  if (dir && file) {
    try {
      // Into a ring of the configured size (the file may come from another capacity).
      connlog = loadConnLog(dir, capacity);
      opts.log(`connlog: ${connlog.stats.entries} connections loaded from ${path.basename(file)}`);
    } catch (err) {
      // Kept aside, not overwritten: stored data is never destroyed, even unreadable data.
      const aside = `${file}.corrupt-${Date.now()}`;
      try {
        renameSync(file, aside);
      } catch { /* already gone */ }
      opts.log(`connlog: ${(err as Error).message}; kept as ${path.basename(aside)}, starting empty`);
    }
  }
  const log = connlog;
  let retry: NodeJS.Timeout | null = null;
  let failures = 0;
  // The newest save's number: a timed save still in flight when save() runs leaves the file to it.
  let gen = 0;
  let saving = false;
  const failed = (): void => {
    // connlog-file logged the start of the episode; try again sooner than the next interval, backing off.
    failures++;
    retry = setTimeout(saveTimed, Math.min(300_000, 5000 * 2 ** Math.min(6, failures - 1)));
    retry.unref();
  };
  const save = (): void => {
    if (!dir) return;
    if (retry) { clearTimeout(retry); retry = null; }
    gen++;
    try {
      saveConnLog(log, dir, { fsync: opts.fsync, log: opts.log });
      failures = 0;
    } catch {
      failed();
    }
  };
  const saveTimed = (): void => {
    if (!dir || saving) return; // one in flight: the next interval saves what came since
    if (retry) { clearTimeout(retry); retry = null; }
    const mine = ++gen;
    saving = true;
    saveConnLogAsync(log, dir, () => gen === mine, { fsync: opts.fsync, log: opts.log }).then(
      () => { failures = 0; },
      failed,
    ).finally(() => { saving = false; });
  };
  const every = opts.saveEveryS ?? 300;
  const timer = every > 0 && dir ? setInterval(saveTimed, every * 1000) : null;
  timer?.unref();
  return {
    connlog: log,
    observe: log.observe,
    routes: lookupRoutes({ connlog: log, describe: opts.describe }),
    save,
    saveTimed,
    get saveProblem() { return dir ? connlogSaveProblem(dir) : null; },
    close() {
      if (timer) clearInterval(timer);
      if (retry) { clearTimeout(retry); retry = null; }
      save();
    },
  };
}
