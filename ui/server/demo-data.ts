// Demo data left in a real run's data directory by an older version (the demo used to share `.data`):
// found by the demo capture's own MACs and moved aside, so a live dashboard never starts with the demo's devices.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { openCaptureFile } from '../../sensor/capture/file.js';
import { STORE_FILE } from './store/store.js';
import { CONNLOG_FILE } from './exports/connlog-file.js';

/** LINKTYPE_ETHERNET: the demo capture's link type (the source MAC is bytes 6..11). */
const ETHERNET = 1;
/** The demo capture is small; a bigger file here is not the demo and is not read through. */
const MAX_FRAMES = 100_000;

/** Source MACs of the Ethernet frames in a capture (bounded), lower-case "aa:bb:..". */
export async function sourceMacs(file: string): Promise<Set<string>> {
  const macs = new Set<string>();
  let frames = 0;
  for await (const batch of openCaptureFile(file)) {
    for (const f of batch) {
      if (f.linktype !== ETHERNET || f.data.length < 12) continue;
      macs.add(Array.from(f.data.subarray(6, 12), (b) => b.toString(16).padStart(2, '0')).join(':'));
    }
    frames += batch.length;
    if (frames > MAX_FRAMES) break;
  }
  return macs;
}

/**
 * If dataDir's store holds devices and every one of them is a device of the demo capture, it is the demo's
 * home (no real home has exactly those MACs): the store and its connection log are renamed to
 * `<file>.demo-<time>` (kept, not deleted). Returns the new store name, or null when nothing was moved.
 */
export async function moveDemoDataAside(dataDir: string, demoPcap: string, now = new Date()): Promise<string | null> {
  const file = path.join(dataDir, STORE_FILE);
  if (!existsSync(file) || !existsSync(demoPcap)) return null;
  let devices: string[];
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { devices?: Record<string, unknown> };
    devices = Object.keys(data.devices ?? {});
  } catch {
    return null; // a corrupt store is the store's own business (moved aside there, with its reason)
  }
  if (devices.length === 0) return null;
  const demo = await sourceMacs(demoPcap);
  if (!devices.every((m) => demo.has(m.toLowerCase()))) return null;
  const suffix = `.demo-${now.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(file, file + suffix);
  const log = path.join(dataDir, CONNLOG_FILE);
  if (existsSync(log)) renameSync(log, log + suffix);
  return file + suffix;
}
