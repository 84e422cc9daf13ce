// The daemon's connection log in one piece: the ring as a pipeline sink, GET /api/lookup, and periodic saving to
// <data dir>/connlog.json (loaded again at start) so abuse lookups survive a restart and work with `lookup --data`.
import type { Hono } from 'hono';
import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { ConnLog } from '../../../sensor/connlog.js';
import type { EventSink } from '../../../sensor/events.js';
import { CONNLOG_FILE, loadConnLog, saveConnLog } from './connlog-file.js';
import { lookupRoutes } from './lookup-route.js';
import type { DescribeDevice } from './lookup.js';

export interface ConnLogServiceOptions {
  /** Where connlog.json lives; null = memory only. */
  dataDir: string | null;
  /** Ring size (default 100,000 connections, 3.8 MB). */
  capacity?: number;
  /** Save at most this often when something changed (default 300 s); 0 = only on close. */
  saveEveryS?: number;
  describe?: DescribeDevice;
  log: (msg: string) => void;
}

export interface ConnLogService {
  readonly connlog: ConnLog;
  /** Add to the pipeline's sinks. */
  readonly observe: EventSink;
  /** Mount with app.route('/', service.routes) behind the session check (GET /api/lookup). */
  readonly routes: Hono;
  save(): void;
  close(): void;
}

export function startConnLog(opts: ConnLogServiceOptions): ConnLogService {
  const capacity = opts.capacity ?? 100_000;
  let connlog = new ConnLog(capacity);
  if (opts.dataDir && existsSync(path.join(opts.dataDir, CONNLOG_FILE))) {
    try {
      const old = loadConnLog(opts.dataDir);
      // Re-add into a ring of the configured size (the file may come from another capacity).
      connlog = ConnLog.fromJSON(old.toJSON(), capacity);
      opts.log(`connlog: ${connlog.stats.entries} connections loaded from ${CONNLOG_FILE}`);
    } catch (err) {
      // Kept aside, not overwritten: stored data is never destroyed, even unreadable data.
      const aside = path.join(opts.dataDir, `${CONNLOG_FILE}.corrupt-${Date.now()}`);
      try {
        renameSync(path.join(opts.dataDir, CONNLOG_FILE), aside);
      } catch { /* already gone */ }
      opts.log(`connlog: ${(err as Error).message}; kept as ${path.basename(aside)}, starting empty`);
    }
  }
  const log = connlog;
  let savedAt = -1;
  const mark = () => log.stats.entries + log.stats.overwritten;
  const save = (): void => {
    if (!opts.dataDir || mark() === savedAt) return;
    try {
      saveConnLog(log, opts.dataDir);
      savedAt = mark();
    } catch (err) {
      opts.log(`connlog: cannot save: ${(err as Error).message}`);
    }
  };
  const every = opts.saveEveryS ?? 300;
  const timer = every > 0 && opts.dataDir ? setInterval(save, every * 1000) : null;
  timer?.unref();
  return {
    connlog: log,
    observe: log.observe,
    routes: lookupRoutes({ connlog: log, describe: opts.describe }),
    save,
    close() {
      if (timer) clearInterval(timer);
      save();
    },
  };
}
