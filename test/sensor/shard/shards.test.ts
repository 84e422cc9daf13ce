// A sharded analysis (sensor/shard) against the single-threaded one: the same devices and alerts.
//
// On this thread (shardsInProcess: deterministic) for the generated demo home and real captures with
// several devices, and in worker threads through the command line, whose report must equal the
// in-process shards' (the hand-over between threads loses and adds nothing). Known differences are
// taken out before comparing, each for a stated reason:
// - the watched clock (stats.baseline): shards move it with every frame's time, one thread with events;
// - the time of the router's "forwards traffic from the Internet" line: a single thread decides it on
//   the second remote address the router carries for anyone, a shard on the second it carries for its devices;
// - stats.events: a copy of traffic inside the home makes events in both shards.
// The whole corpus is compared by `node test/rules/tools/run.mjs test/rules/tools/shard-compare.ts ../shared/pcaps`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { analysisSetup, analyzeFiles, type Report } from '../../../sensor/analyze.js';
import { openCaptureFile } from '../../../sensor/capture/file.js';
import { Shards } from '../../../sensor/shard/shards.js';
import { loadRulePacks, defaultPackDirs } from '../../../rules/engine/engine.js';
import { bundleEntry } from '../../helpers/bundle-entry.js';
import { describeShared, pcap, PROJECT_ROOT } from '../../helpers/shared.js';

const DEMO = path.join(PROJECT_ROOT, 'firmware-scripts', 'demo', 'demo-home.pcap');
const rules = loadRulePacks(defaultPackDirs());

/** A report with the documented differences taken out and lists in a fixed order. */
function comparable(r: Report): unknown {
  return {
    devices: [...r.devices].sort((a, b) => (a.mac < b.mac ? -1 : 1)).map((d) => ({
      ...d,
      evidence: d.evidence.map((e) => (e.detail.startsWith('Forwards traffic from the Internet') ? { ...e, ts: 0 } : e)),
    })),
    alerts: [...r.alerts].sort((a, b) => (a.id < b.id ? -1 : 1)),
    stats: { ...r.stats, events: 0, baseline: r.stats.baseline ? { devices: r.stats.baseline.devices, devices_learnt: r.stats.baseline.devices_learnt } : null },
  };
}

async function single(file: string): Promise<Report> {
  return analyzeFiles([file], { rules });
}

async function sharded(file: string, threads: number): Promise<Report> {
  return analyzeFiles([file], { rules, threads, shardsInProcess: true });
}

describe('sharded analysis on this thread', () => {
  it('finds the demo home\'s devices and alerts as one thread does, with 2, 3 and 4 shards', async () => {
    const one = await single(DEMO);
    expect(one.devices.length).toBeGreaterThan(5);
    expect(one.alerts.length).toBeGreaterThan(5);
    for (const n of [2, 3, 4]) expect(comparable(await sharded(DEMO, n)), `${n} shards`).toEqual(comparable(one));
  });

  it('counts each frame once, copies included', async () => {
    const one = await single(DEMO);
    const two = await sharded(DEMO, 2);
    expect(two.stats.packets).toBe(one.stats.packets);
    expect(two.stats.bytes).toBe(one.stats.bytes);
    // The demo home has traffic inside the home (the NAS, the router's DNS): copies were made and
    // made events of their own, which the packet counts above do not show.
    expect(two.stats.events).toBeGreaterThan(one.stats.events);
  });
});

describeShared('sharded analysis on real captures', () => {
  // Captures with several devices talking to each other and to the internet (../shared/pcaps/README.md).
  const captures = [
    'iot-sentinel/SmarterCoffee/Setup-A-8-STA.pcap',
    'iot-sentinel/D-LinkCam/Setup-A-1-STA.pcap',
    'iot-sentinel/Aria/Setup-A-1-STA.pcap',
    'zeek-traces/dhcp_dhcp.pcap',
  ];
  it.each(captures)('%s: the same devices and alerts with 3 shards', async (rel) => {
    const one = await single(pcap(rel));
    expect(one.devices.length).toBeGreaterThan(0);
    expect(comparable(await sharded(pcap(rel), 3))).toEqual(comparable(one));
  });
});

describe('sharded analysis in worker threads', () => {
  let dir = '';
  let cli = '';
  beforeAll(async () => {
    mkdirSync(path.join(PROJECT_ROOT, 'test', '.tmp'), { recursive: true });
    dir = mkdtempSync(path.join(PROJECT_ROOT, 'test', '.tmp', 'shards-'));
    cli = path.join(dir, 'waakhond.mjs');
    // One file, as the install bundle: it is its own shards' worker (sensor/waakhond.ts).
    await bundleEntry('sensor/waakhond.ts', cli);
  }, 120_000);
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'analyze', ...args], {
    env: { ...process.env, WAAKHOND_HOME: PROJECT_ROOT }, encoding: 'utf8', maxBuffer: 64 << 20,
  });

  it('gives the report the shards give on this thread', async () => {
    const r = run('--json', '--threads', '3', DEMO);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const workers = JSON.parse(r.stdout) as Report;
    const here = JSON.parse(JSON.stringify(await sharded(DEMO, 3))) as Report;
    expect({ ...workers, stats: { ...workers.stats, events: 0 } }).toEqual({ ...here, stats: { ...here.stats, events: 0 } });
    expect(workers.stats.events).toBe(here.stats.events);
  });

  it('reports a broken capture as one thread does, and refuses a bad thread count', () => {
    const broken = path.join(dir, 'broken.pcap');
    const whole = readFileSync(DEMO);
    writeFileSync(broken, whole.subarray(0, Math.floor(whole.length / 2) + 7));
    const one = run('--json', broken);
    const three = run('--json', '--threads', '3', broken);
    expect(three.status).toBe(one.status);
    const a = JSON.parse(one.stdout) as Report;
    const b = JSON.parse(three.stdout) as Report;
    expect(b.stats.errors).toEqual(a.stats.errors);
    expect(b.stats.errors.length).toBe(1);
    expect(b.stats.packets).toBe(a.stats.packets);
    for (const bad of ['0', 'many', '-2', '100']) {
      const r = run(`--threads=${bad}`, DEMO);
      expect(r.status, bad).toBe(2);
      expect(r.stderr).toMatch(/--threads is a number from 1 to 99 or "auto"/);
    }
  });

  it('says so when a shard fails, instead of hanging', async () => {
    // A worker program that dies on start: the reader must stop with its error, not wait for it.
    const bad = path.join(dir, 'dies.mjs');
    writeFileSync(bad, "throw new Error('shard died on start');\n");
    const setup = analysisSetup({ rules });
    const shards = new Shards(3, {}, setup, false, pathToFileURL(bad));
    try {
      const run = (async () => {
        for await (const b of openCaptureFile(DEMO)) await shards.push(b);
        return shards.finish();
      })();
      await expect(run).rejects.toThrow(/shard died on start/);
    } finally {
      await shards.close();
    }
  }, 30_000);
});
