// Active discovery against responders in network namespaces the test creates (and deletes): nothing
// leaves them. Without CAP_NET_ADMIN the namespace suite is skipped loudly (and fails in CI).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locationRefusal, parseDescription } from '../../../sensor/discovery/upnp.js';
import { PROJECT_ROOT } from '../../helpers/shared.js';
import { describeNeeds } from '../../helpers/needs.js';
import { ensureOuiTable } from '../inventory/oui-helper.js';

const isLocal = (ip: string) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip);

describe('UPnP LOCATION safety and description parsing', () => {
  it('fetches only plain http from the announcing device itself, on the LAN', () => {
    expect(locationRefusal('http://192.168.1.5:80/desc.xml', '192.168.1.5', isLocal)).toBeNull();
    expect(locationRefusal('http://192.168.1.6/desc.xml', '192.168.1.5', isLocal)).toMatch(/not the announcing device/);
    expect(locationRefusal('http://8.8.8.8/desc.xml', '8.8.8.8', isLocal)).toMatch(/not a LAN address/);
    expect(locationRefusal('https://192.168.1.5/desc.xml', '192.168.1.5', isLocal)).toMatch(/scheme/);
    expect(locationRefusal('file:///etc/passwd', '192.168.1.5', isLocal)).toMatch(/scheme/);
    expect(locationRefusal('http://user:pw@192.168.1.5/', '192.168.1.5', isLocal)).toMatch(/credentials/);
    expect(locationRefusal('http://router.lan/desc.xml', '192.168.1.5', isLocal)).toMatch(/not the announcing device/);
    expect(locationRefusal('not a url', '192.168.1.5', isLocal)).toMatch(/not a URL/);
  });

  it('parses root/device fields with a real XML parser, without expanding entities', () => {
    const d = parseDescription(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "EXPANDED">]><root xmlns="urn:schemas-upnp-org:device-1-0"><device>
      <deviceType>urn:Belkin:device:insight:1</deviceType><friendlyName>Insight &x;</friendlyName><manufacturer>Belkin International Inc.</manufacturer>
      <modelName>Insight</modelName><modelNumber>1.0</modelNumber></device></root>`);
    expect(d).toMatchObject({ device_type: 'urn:Belkin:device:insight:1', manufacturer: 'Belkin International Inc.', model_name: 'Insight', model_number: '1.0' });
    expect(d!.friendly_name).not.toMatch(/EXPANDED/);
    expect(parseDescription('<html>no</html>')).toBeNull();
    expect(parseDescription('<<<')).toBeNull();
  });
});

// --- the namespace suite -------------------------------------------------------------------------
const tag = `${process.pid % 100000}`;
const NS_SENSOR = `wk-ds-${tag}`;
const NS_DEVICE = `wk-dd-${tag}`;
const SENSOR_IP = '10.77.0.1';
const DEVICE_IP = '10.77.0.2';

function sh(...args: string[]): void {
  execFileSync(args[0], args.slice(1), { stdio: 'pipe' });
}
function canNetns(): boolean {
  const probe = `wk-probe-${tag}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
  if (r.status !== 0) return false;
  spawnSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
  return true;
}

const HAVE_NETNS = canNetns();

describeNeeds('discovery against responders in network namespaces', HAVE_NETNS ? null : 'CAP_NET_ADMIN (ip netns add failed; run as root)', () => {
  let responder: ChildProcess | null = null;
  let tmp = '';
  let bundle = '';
  let peerMac = '';

  beforeAll(async () => {
    ensureOuiTable();
    // Two namespaces joined by a veth pair: the sensor and the device; no route anywhere else.
    sh('ip', 'netns', 'add', NS_SENSOR);
    sh('ip', 'netns', 'add', NS_DEVICE);
    sh('ip', 'link', 'add', 'wkvs', 'netns', NS_SENSOR, 'type', 'veth', 'peer', 'name', 'wkvd', 'netns', NS_DEVICE);
    for (const [ns, dev, ip] of [[NS_SENSOR, 'wkvs', SENSOR_IP], [NS_DEVICE, 'wkvd', DEVICE_IP]]) {
      sh('ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', dev);
      sh('ip', '-n', ns, 'link', 'set', dev, 'up');
      sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
      sh('ip', '-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', dev);
    }
    peerMac = execFileSync('ip', ['-n', NS_DEVICE, '-o', 'link', 'show', 'wkvd']).toString().match(/link\/ether ([0-9a-f:]{17})/)![1];
    tmp = mkdtempSync(path.join(tmpdir(), 'wk-disc-'));
    bundle = path.join(tmp, 'discovery.mjs');
    await build({
      entryPoints: [path.join(PROJECT_ROOT, 'test/sensor/discovery/fixtures/entry.ts')], outfile: bundle, bundle: true,
      platform: 'node', format: 'esm', target: 'node20', logLevel: 'error',
      banner: { js: "import { createRequire as __wkCreateRequire } from 'node:module'; const require = __wkCreateRequire(import.meta.url);" },
    });
    responder = spawn('ip', ['netns', 'exec', NS_DEVICE, process.execPath, path.join(PROJECT_ROOT, 'test/sensor/discovery/fixtures/responder.mjs'), DEVICE_IP, SENSOR_IP], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('responder did not start')), 10_000);
      responder!.stdout!.on('data', (b: Buffer) => { if (b.toString().includes('ready')) { clearTimeout(t); resolve(); } });
      responder!.on('exit', (code) => reject(new Error(`responder exited ${code}`)));
    });
  });

  afterAll(() => {
    responder?.stdin?.end();
    responder?.kill('SIGTERM');
    spawnSync('ip', ['netns', 'del', NS_SENSOR], { stdio: 'pipe' });
    spawnSync('ip', ['netns', 'del', NS_DEVICE], { stdio: 'pipe' });
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('finds the device by mDNS and SSDP, fetches its own description, refuses hostile LOCATIONs', () => {
    const out = execFileSync('ip', ['netns', 'exec', NS_SENSOR, process.execPath, path.join(PROJECT_ROOT, 'test/sensor/discovery/fixtures/runner.mjs'), bundle, SENSOR_IP, DEVICE_IP, peerMac], {
      env: { ...process.env, WAAKHOND_HOME: PROJECT_ROOT }, timeout: 30_000,
    }).toString();
    const r = JSON.parse(out) as { stats: Record<string, number>; stolen: number; log: string[]; events: string[]; device: { vendor: string; model: string; category: string; evidence: { source: string; detail: string }[] } | null };
    expect(r.stats.errors).toBe(0);
    expect(r.stats.mdns_responses).toBeGreaterThanOrEqual(2);
    expect(r.stats.ssdp_responses).toBe(6);
    expect(r.stats.descriptions).toBe(1);
    expect(r.stats.refused).toBe(5);
    // Never a request to another host than the announcer, through a redirect neither.
    expect(r.stolen).toBe(0);
    expect(r.log.join('\n')).toMatch(/stolen: LOCATION host 10\.77\.0\.1 is not the announcing device/);
    expect(r.log.join('\n')).toMatch(/big\.xml: description larger than 65536 bytes/);
    expect(r.log.join('\n')).toMatch(/slow\.xml: timed out/);
    expect(r.log.join('\n')).toMatch(/redirect: HTTP 302/);
    expect(r.log.join('\n')).toMatch(/passwd: scheme file: not allowed/);
    expect(r.device).not.toBeNull();
    expect(r.device!.vendor).toBe('Philips Hue');
    expect(r.device!.category).toBe('hub');
    const sources = new Set(r.device!.evidence.map((e) => e.source));
    expect(sources).toEqual(new Set(['mdns', 'ssdp', 'upnp']));
    expect(r.device!.evidence.some((e) => e.source === 'upnp' && /modelName Philips hue bridge 2015/.test(e.detail))).toBe(true);
  });
});
