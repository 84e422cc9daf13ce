// Shared helpers for the firmware tests: run commands, temporary trees, a stand-in bundle, namespaces.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../helpers/shared.js';
import { have } from '../helpers/needs.js';

// The skip-loudly-or-fail-in-CI rule lives in test/helpers/needs.ts; re-exported for the firmware tests.
export { IN_CI, IS_ROOT, describeNeeds, firstMissing, have, itNeeds, missingTools, needsRoot } from '../helpers/needs.js';

export const ROOT = PROJECT_ROOT;
export const FW = path.join(ROOT, 'firmware-scripts');
export const OPENWRT_FILES = path.join(FW, 'openwrt', 'waakhond', 'files');
export const FIXTURES = path.join(ROOT, 'test', 'firmware', 'fixtures');

export interface Result { status: number | null; stdout: string; stderr: string; signal: NodeJS.Signals | null }

export function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): Result {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20, ...opts });
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw r.error;
  return { status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), signal: r.signal };
}

/** busybox ash when installed (what OpenWrt runs), else the system's POSIX sh. */
export function ash(): [string, ...string[]] {
  return have('busybox') ? ['busybox', 'sh'] : ['sh'];
}

const tmps: string[] = [];
export function tmpDir(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), `wk-${prefix}-`));
  tmps.push(d);
  return d;
}
export function cleanTmp(): void {
  for (const d of tmps.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * A stand-in bundle for installer and packaging tests: the real layout (firmware-scripts/pi, data
 * folders, VERSION) with a tiny dist/waakhond.mjs that prints its arguments. The daemon itself is
 * tested through the real bundle (realBundle) where that matters.
 */
export function stubBundle(dir: string, version = '0.1.0'): string {
  const b = path.join(dir, 'waakhond');
  mkdirSync(path.join(b, 'dist'), { recursive: true });
  mkdirSync(path.join(b, 'bin'), { recursive: true });
  mkdirSync(path.join(b, 'rules', 'packs'), { recursive: true });
  writeFileSync(path.join(b, 'dist', 'waakhond.mjs'), "console.log('stub waakhond', JSON.stringify(process.argv.slice(2)));\n");
  writeFileSync(path.join(b, 'bin', 'waakhond'), '#!/bin/sh\nexec node "$(dirname "$0")/../dist/waakhond.mjs" "$@"\n');
  chmodSync(path.join(b, 'bin', 'waakhond'), 0o755);
  writeFileSync(path.join(b, 'rules', 'packs', 'x.yaml'), 'id: stub\n');
  writeFileSync(path.join(b, 'VERSION'), `${version} stub\n`);
  writeFileSync(path.join(b, 'MANIFEST'), '');
  writeFileSync(path.join(b, 'package.json'), JSON.stringify({ name: 'waakhond', version, type: 'module' }));
  cpSync(path.join(FW, 'pi'), path.join(b, 'firmware-scripts', 'pi'), { recursive: true });
  return b;
}

/** Builds the real bundle (no dashboard rebuild) into dir; null with the reason when it cannot be built. */
export function buildRealBundle(dir: string): { bundle: string | null; log: string } {
  const r = run(process.execPath, [path.join(FW, 'bundle.mjs'), '--no-build', '--out', dir, '--quiet'], { cwd: ROOT });
  const bundle = path.join(dir, 'waakhond');
  const ok = r.status === 0 && existsSync(path.join(bundle, 'dist', 'waakhond.mjs'));
  return { bundle: ok ? bundle : null, log: r.stdout + r.stderr };
}

/** The daemon's live capture landed (issue 5 daemon + capture/live.ts)? */
export const HAVE_DAEMON = existsSync(path.join(ROOT, 'ui', 'server', 'daemon.ts'));
export const HAVE_LIVE = existsSync(path.join(ROOT, 'sensor', 'capture', 'live.ts'));

/** A test network: two namespaces joined by a veth pair, deleted by the returned function. */
export function makeNetns(tag: string): { sensor: string; peer: string; ifSensor: string; ifPeer: string; ipSensor: string; ipPeer: string; destroy: () => void } {
  const id = `${tag}${process.pid % 10000}`;
  const sensor = `wks-${id}`;
  const peer = `wkp-${id}`;
  const ifSensor = `wkv${process.pid % 10000}a`;
  const ifPeer = `wkv${process.pid % 10000}b`;
  // Documentation-free private /30 inside namespaces we create: nothing leaves them.
  const ipSensor = '10.213.7.1';
  const ipPeer = '10.213.7.2';
  const destroy = () => {
    run('ip', ['netns', 'del', sensor]);
    run('ip', ['netns', 'del', peer]);
  };
  destroy();
  const steps: string[][] = [
    ['netns', 'add', sensor], ['netns', 'add', peer],
    ['-n', sensor, 'link', 'add', ifSensor, 'type', 'veth', 'peer', 'name', ifPeer, 'netns', peer],
    ['-n', sensor, 'addr', 'add', `${ipSensor}/30`, 'dev', ifSensor],
    ['-n', peer, 'addr', 'add', `${ipPeer}/30`, 'dev', ifPeer],
    ['-n', sensor, 'link', 'set', ifSensor, 'up'], ['-n', peer, 'link', 'set', ifPeer, 'up'],
    ['-n', sensor, 'link', 'set', 'lo', 'up'], ['-n', peer, 'link', 'set', 'lo', 'up'],
  ];
  for (const s of steps) {
    const r = run('ip', s);
    if (r.status !== 0) { destroy(); throw new Error(`ip ${s.join(' ')}: ${r.stderr}`); }
  }
  return { sensor, peer, ifSensor, ifPeer, ipSensor, ipPeer, destroy };
}

/** Node code that sends `count` UDP datagrams from the peer namespace to the sensor (bounded). */
export function udpBurst(ip: string, count: number, port = 9999): string {
  return `const s=require('dgram').createSocket('udp4');let n=0;const t=setInterval(()=>{s.send('waakhond-test',${port},'${ip}');if(++n>=${count}){clearInterval(t);setTimeout(()=>s.close(),50);}},50);`;
}
