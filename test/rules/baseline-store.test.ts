// The learnt baseline survives a daemon restart through the real Store on a temp dir; a corrupt one is refused, never a crash.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RuleEngine } from '../../rules/engine/engine.js';
import { loadBaselineConfig } from '../../rules/engine/baseline-config.js';
import { Store, STORE_FILE } from '../../ui/server/store/store.js';
import type { Alert } from '../../rules/engine/types.js';
import { CAM, H, MIN, PC, S, T0, stats, syn, synack, traffic, withHeartbeat } from './issue11-events.js';

const config = { ...loadBaselineConfig().config!, learningUs: H, installLearningUs: H };
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'waakhond-baseline-'));
  dirs.push(d);
  return d;
}

/** What the daemon does at start: load the store, restore the baseline or log why not. */
function start(dir: string, logs: string[]): { store: Store; eng: RuleEngine; raised: Alert[] } {
  const store = new Store({ dataDir: dir, fsync: false, log: (m) => logs.push(m) });
  store.load();
  const eng = withHeartbeat(new RuleEngine([], { baseline: config }));
  if (store.data.baseline !== undefined) {
    const why = eng.baseline!.restore(store.data.baseline);
    if (why) logs.push(`baseline: saved state refused (${why}): starting a fresh baseline`);
  }
  const raised: Alert[] = [];
  eng.onAlert = (a, change) => { if (change === 'raised') raised.push(a); };
  return { store, eng, raised };
}

describe('baseline in the store', () => {
  it('a restart keeps what was learnt: learnt families stay quiet, new ones raise, the install is not young again', () => {
    const dir = tmp();
    const logs: string[] = [];
    const a = start(dir, logs);
    a.eng.observe(traffic(CAM, T0, '192.168.1.40'));
    a.eng.observe(syn({ ts: T0 + S, dst_port: 22 }));
    a.eng.observe(synack({ src_mac: PC, src_ip: '192.168.1.41', ts: T0 + 2 * S }));
    a.eng.observe(stats(T0 + 2 * H)); // two hours watched, then the daemon stops
    a.store.setBaseline(a.eng.baseline!.serialize());
    a.store.flush();
    const onDisk = JSON.parse(readFileSync(path.join(dir, STORE_FILE), 'utf8'));
    expect(onDisk.baseline.format).toBe('waakhond.baseline');
    expect(onDisk.baseline.version).toBe(1);

    const b = start(dir, logs); // the restart
    expect(logs).toEqual([]);
    expect(b.eng.baseline!.stats.devices).toBe(2);
    const t = T0 + 2 * H;
    b.eng.observe(syn({ ts: t, dst_port: 22, dst_ip: '45.6.6.6' })); // learnt before the restart
    b.eng.observe(traffic(CAM, t, '192.168.1.40')); // known before the restart
    expect(b.raised).toEqual([]);
    b.eng.observe(syn({ ts: t + S, dst_port: 23, dst_ip: '45.6.6.7' }));
    b.eng.observe(syn({ src_mac: PC, src_ip: '192.168.1.41', ts: t + S, dst_port: 443, dst_ip: '45.6.6.8' }));
    expect(b.raised.map((x) => x.rule).sort()).toEqual(['baseline.first-outbound', 'baseline.new-family']);
  });

  it('a corrupt baseline in an otherwise good store: refused with a log line, fresh baseline, the rest of the store kept', () => {
    const dir = tmp();
    const logs: string[] = [];
    const a = start(dir, logs);
    a.store.upsertDevice({
      mac: CAM, ips: ['192.168.1.40'], ipv6: [], vendor: 'D-Link', model: null, category: 'camera', name: null, hostname: null,
      confidence: 0.9, evidence: [], first_seen: T0, last_seen: T0, private_mac: false,
    });
    a.eng.observe(syn({ ts: T0 }));
    a.store.setBaseline(a.eng.baseline!.serialize());
    a.store.flush();
    const file = path.join(dir, STORE_FILE);
    const data = JSON.parse(readFileSync(file, 'utf8'));
    for (const broken of [{ format: 'waakhond.baseline', version: 99 }, 'garbage', { ...data.baseline, devices: [[1, 2, 3]] }]) {
      writeFileSync(file, JSON.stringify({ ...data, baseline: broken }));
      const got: string[] = [];
      const b = start(dir, got);
      expect(got.length).toBe(1);
      expect(got[0]).toMatch(/^baseline: saved state refused \(.+\): starting a fresh baseline$/);
      expect(Object.keys(b.store.data.devices)).toEqual([CAM]); // the store itself was not moved aside
      expect(b.eng.baseline!.stats.devices).toBe(0);
      b.eng.observe(syn({ ts: T0 + 3 * H, dst_port: 23, dst_ip: '45.6.6.7' }));
      expect(b.raised).toEqual([]); // fresh: the camera is learning again
      b.eng.observe(syn({ ts: T0 + 4 * H + MIN, dst_port: 445, dst_ip: '45.6.6.8' }));
      expect(b.raised.map((x) => x.group.family)).toEqual(['smb']);
    }
  });

  it('a store written before the baseline existed loads, and the baseline starts fresh without a complaint', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, STORE_FILE), JSON.stringify({ version: 1, devices: {}, alerts: {}, advice: {}, names: {}, settings: { password_hash: null } }));
    const logs: string[] = [];
    const s = start(dir, logs);
    expect(logs).toEqual([]);
    expect(s.store.data.baseline).toBeUndefined();
  });
});
