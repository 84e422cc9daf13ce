// Saves and loads the connection log as <data dir>/connlog.json (atomic write), so `waakhond lookup --data DIR`
// can answer from what the daemon saw; the daemon calls saveConnLog now and then and on shutdown.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConnLog } from '../../../sensor/connlog.js';

export const CONNLOG_FILE = 'connlog.json';

export function saveConnLog(log: ConnLog, dataDir: string): string {
  const file = path.join(dataDir, CONNLOG_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(log.toJSON()), { mode: 0o600 });
  renameSync(tmp, file); // rename is atomic: a reader sees the old or the new file, never half of one
  return file;
}

export function loadConnLog(dataDir: string): ConnLog {
  const file = path.join(dataDir, CONNLOG_FILE);
  if (!existsSync(file)) {
    throw new Error(`no connection log in ${dataDir} (the daemon writes ${CONNLOG_FILE} there; or query it with GET /api/lookup)`);
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  return ConnLog.fromJSON(data);
}
