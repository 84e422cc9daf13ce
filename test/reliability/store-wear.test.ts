// Flash wear: counters (traffic, alert repeats) wait for the lazy save, what the household or a new device changes is
// written soon, and a save whose content did not change is not written at all.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store, STORE_FILE } from '../../ui/server/store/store.js';
import { device, miraiAlert } from '../ui/server/fixture.js';
import { sleep, tmp } from './durable-helpers.js';

const MAC = '02:00:00:00:00:01';
const traffic = (ts: number) => ({ type: 'traffic' as const, ts, mac: MAC, ip: '192.168.1.20', out_bytes: 100, in_bytes: 50, out_pkts: 1, in_pkts: 1 });

describe('store saves and flash wear', () => {
  it('writes counters only after lazySaveMs, but a new device or a name within saveDelayMs', async () => {
    const dir = tmp();
    const s = new Store({ dataDir: dir, fsync: false, saveDelayMs: 40, lazySaveMs: 1500 });
    s.load();
    s.upsertDevice(device(MAC));
    await sleep(150);
    expect(s.stats.writes).toBe(1);
    for (let i = 0; i < 20; i++) s.recordTraffic(traffic(1.7e15 + i * 1e6) as never);
    s.upsertAlert(miraiAlert(MAC));
    await sleep(150);
    expect(s.stats.writes).toBe(2); // the new alert, with the traffic so far
    s.upsertAlert({ ...miraiAlert(MAC), count: 9 });
    for (let i = 20; i < 40; i++) s.recordTraffic(traffic(1.7e15 + i * 1e6) as never);
    await sleep(150);
    expect(s.stats.writes).toBe(2); // only counters moved: not yet
    s.setName(MAC, 'Kitchen');
    await sleep(150);
    expect(s.stats.writes).toBe(3); // the household's change pulls the pending lazy save forward
    const saved = JSON.parse(readFileSync(path.join(dir, STORE_FILE), 'utf8'));
    expect(saved.names[MAC]).toBe('Kitchen');
    expect(Object.values(saved.alerts as Record<string, { count: number }>)[0].count).toBe(9);
    for (let i = 40; i < 45; i++) s.recordTraffic(traffic(1.7e15 + i * 1e6) as never);
    await sleep(150);
    expect(s.stats.writes).toBe(3);
    await sleep(1700);
    expect(s.stats.writes).toBe(4);
    s.close();
  });

  it('what the capture found waits for newsSaveMs; the household does not wait for it', async () => {
    const dir = tmp();
    const s = new Store({ dataDir: dir, fsync: false, saveDelayMs: 40, newsSaveMs: 1000, lazySaveMs: 5000 });
    s.load();
    s.upsertDevice(device(MAC));
    s.upsertAlert(miraiAlert(MAC));
    await sleep(300);
    expect(s.stats.writes).toBe(0);
    await sleep(1000);
    expect(s.stats.writes).toBe(1);
    s.upsertDevice(device('02:00:00:00:00:02'));
    s.setName(MAC, 'Kitchen');
    await sleep(300);
    expect(s.stats.writes).toBe(2);
    expect(Object.keys(JSON.parse(readFileSync(path.join(dir, STORE_FILE), 'utf8')).devices)).toHaveLength(2);
    s.close();
  });

  it('does not rewrite a file whose content would not change', () => {
    const dir = tmp();
    const s = new Store({ dataDir: dir, fsync: false });
    s.load();
    s.upsertDevice(device(MAC));
    s.flush();
    const file = path.join(dir, STORE_FILE);
    const ino = statSync(file).ino;
    s.setName(MAC, 'x');
    s.setName(MAC, null); // back to what is on disk
    s.flush();
    expect(s.adapter.wear).toMatchObject({ writes: 1, unchanged: 1 });
    expect(statSync(file).ino).toBe(ino); // a rename would have given a new inode
    // After a restart, the first save of an unchanged store is not written either.
    const t = new Store({ dataDir: dir, fsync: false });
    t.load();
    t.setName(MAC, null);
    t.flush();
    expect(t.adapter.wear).toMatchObject({ writes: 0, unchanged: 1 });
  });
});
