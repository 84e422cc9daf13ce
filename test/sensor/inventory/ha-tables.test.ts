// Home Assistant's discovery matchers in the inventory (sensor/inventory/ha-tables.ts): per knowledge
// source, the brand, the kind and the evidence line a household reads.
//
// Real captures (../shared/pcaps) where they exist: IoT Sentinel's TP-Link HS100 (DHCP host name + MAC),
// D-Link DSP-W215 (DHCP host name), Hue Bridge (HomeKit md=) and nDPI's iphone.pcap (_companion-link).
// The other cases are hand-built events (ev.ts), SYNTHETIC: each carries exactly the field the Home
// Assistant matcher names (the published table in generated/ha-tables.jsonl, see its NOTICE), with
// values in the form the integration's documentation shows (e.g. a Nuki bridge's "nuki_bridge_<id>").
// To see what the Home Assistant tables alone say, most cases run with a fingerprint folder holding
// only generated/ha-tables.jsonl and vendors.yaml: no hand-written rule can give the answer.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Inventory } from '../../../sensor/inventory/inventory.js';
import { CATEGORIES, type Category } from '../../../sensor/inventory/types.js';
import { compiledGlobCount, globToRegExp, HA_KIND_FALLBACK, HaTables } from '../../../sensor/inventory/ha-tables.js';
import type { Observation } from '../../../sensor/inventory/observe.js';
import { openCaptureFile } from '../../../sensor/capture/file.js';
import { Pipeline } from '../../../sensor/pipeline.js';
import { describeShared, pcap, PROJECT_ROOT } from '../../helpers/shared.js';
import { dhcp, mdnsResponse, ssdp } from './ev.js';
import { ensureOuiTable } from './oui-helper.js';

ensureOuiTable();

const FP = path.join(PROJECT_ROOT, 'sensor', 'inventory', 'fingerprints');
const DATA = path.join(FP, 'generated', 'ha-tables.jsonl');
const tmp: string[] = [];
afterAll(() => { for (const d of tmp) rmSync(d, { recursive: true, force: true }); });

/** A fingerprint folder with the Home Assistant tables and the vendor list only. */
function haOnlyDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ha-only-'));
  tmp.push(dir);
  mkdirSync(path.join(dir, 'generated'));
  copyFileSync(DATA, path.join(dir, 'generated', 'ha-tables.jsonl'));
  copyFileSync(path.join(FP, 'vendors.yaml'), path.join(dir, 'vendors.yaml'));
  return dir;
}
const HA_ONLY = haOnlyDir();

/** The category a kind of the curated table has in this build (issue #12 adds lock, vacuum, tv...). */
function kindNow(k: string): Category {
  return (CATEGORIES as readonly string[]).includes(k) ? (k as Category) : (HA_KIND_FALLBACK[k] ?? 'other');
}

async function replay(inv: Inventory, file: string): Promise<void> {
  const p = new Pipeline({ sinks: [(e) => inv.observe(e)] });
  for await (const batch of openCaptureFile(file)) p.push(batch);
  p.finish();
}

const details = (inv: Inventory, mac: string) => inv.get(mac)!.evidence.map((e) => e.detail);

describeShared('Home Assistant matchers on real captures', () => {
  it('DHCP host name + MAC prefix: IoT Sentinel TP-Link HS100 is a TP-Link smart plug', async () => {
    const inv = new Inventory({ fingerprintsDir: HA_ONLY });
    await replay(inv, pcap('iot-sentinel/TP-LinkPlugHS100/Setup-A-1-STA.pcap'));
    const d = inv.get('50:c7:bf:00:fc:a3')!;
    expect(d.vendor).toBe('TP-Link');
    expect(d.category).toBe('smart-plug');
    expect(details(inv, d.mac)).toContain('DHCP hostname hs100(eu), MAC 50:C7:BF (Home Assistant tplink matcher hs*)');
  });

  it('DHCP host name alone: IoT Sentinel D-Link DSP-W215 is a D-Link smart plug', async () => {
    const inv = new Inventory({ fingerprintsDir: HA_ONLY });
    await replay(inv, pcap('iot-sentinel/D-LinkSwitch/Setup-A-1-STA.pcap'));
    const d = inv.get('90:8d:78:a9:3d:6f')!;
    expect(d.vendor).toBe('D-Link');
    expect(d.category).toBe('smart-plug');
    expect(details(inv, d.mac)).toContain('DHCP hostname dsp-w215 (Home Assistant dlink matcher dsp-w215)');
  });

  it('HomeKit model: IoT Sentinel Hue Bridge (md=BSB002) is Philips Hue lighting', async () => {
    const inv = new Inventory({ fingerprintsDir: HA_ONLY });
    await replay(inv, pcap('iot-sentinel/HueBridge/Setup-A-1-STA.pcap'));
    const d = inv.get('00:17:88:24:76:ff')!;
    expect(d.vendor).toBe('Philips Hue');
    expect(d.category).toBe('lighting');
    expect(details(inv, d.mac)).toContain('mDNS HomeKit model md=BSB002 (Home Assistant hue matcher)');
  });

  it('an iPhone announcing _companion-link._tcp gets the Apple brand but no Apple TV kind', async () => {
    const inv = new Inventory({ fingerprintsDir: HA_ONLY });
    await replay(inv, pcap('ndpi/pcap/iphone.pcap'));
    const d = inv.get('d8:30:62:56:00:1c')!;
    expect(d.vendor).toBe('Apple');
    expect(d.category).not.toBe('media');
    const line = d.evidence.find((e) => e.detail === 'mDNS service _companion-link._tcp (Home Assistant apple_tv matcher)');
    expect(line).toBeDefined();
    expect(line!.category).toBeUndefined();
  });

  it('specific beats generic: with all fingerprints the hand-written rule names the model; the HA line weighs less', async () => {
    const inv = new Inventory();
    await replay(inv, pcap('iot-sentinel/TP-LinkPlugHS100/Setup-A-1-STA.pcap'));
    const d = inv.get('50:c7:bf:00:fc:a3')!;
    expect(d.model).toBe('HS100');
    const ha = d.evidence.find((e) => e.detail.includes('Home Assistant tplink matcher'))!;
    const own = d.evidence.filter((e) => e.model === 'HS100').sort((a, b) => b.weight! - a.weight!)[0];
    const oui = d.evidence.find((e) => e.source === 'oui')!;
    expect(ha.weight!).toBeLessThan(own.weight!);
    expect(ha.weight!).toBeGreaterThan(oui.weight!);
  });
});

describe('Home Assistant matchers on hand-built events (synthetic, see the header)', () => {
  it('a MAC prefix alone (tuya 10:5A:17): the platform, no kind', () => {
    const inv = new Inventory({ fingerprintsDir: HA_ONLY });
    inv.observe(dhcp({ client_mac: '10:5a:17:aa:bb:cc', hostname: 'wlan0' }));
    const d = inv.get('10:5a:17:aa:bb:cc')!;
    expect(d.vendor).toBe('Tuya');
    expect(details(inv, d.mac)).toContain('DHCP from MAC 10:5A:17 (Home Assistant tuya matcher)');
  });

  it('a lock bridge whose DHCP host name is a bare code (nuki_bridge_<id>) is a Nuki lock', () => {
    const inv = new Inventory({ fingerprintsDir: HA_ONLY });
    inv.observe(dhcp({ client_mac: '54:d2:72:11:22:33', hostname: 'nuki_bridge_1a2b3c4d' }));
    const d = inv.get('54:d2:72:11:22:33')!;
    expect(d.vendor).toBe('Nuki');
    expect(d.category).toBe(kindNow('lock'));
    expect(details(inv, d.mac)).toContain('DHCP hostname nuki_bridge_1a2b3c4d (Home Assistant nuki matcher nuki_bridge_*)');
  });

  it('a vacuum: roborock-* host name and a Roborock MAC', () => {
    const inv = new Inventory({ fingerprintsDir: HA_ONLY });
    inv.observe(dhcp({ client_mac: 'b0:4a:39:11:22:33', hostname: 'roborock-vacuum-a15' }));
    const d = inv.get('b0:4a:39:11:22:33')!;
    expect(d.vendor).toBe('Roborock');
    expect(d.category).toBe(kindNow('vacuum'));
    expect(details(inv, d.mac)).toEqual(expect.arrayContaining([
      'DHCP hostname roborock-vacuum-a15 (Home Assistant roborock matcher roborock-*)',
      'DHCP from MAC B0:4A:39 (Home Assistant roborock matcher)',
    ]));
  });

  it('zeroconf service type (_shelly._tcp) and instance name on _http._tcp (shelly*)', () => {
    const inv = new Inventory({ fingerprintsDir: HA_ONLY });
    inv.observe(mdnsResponse('02:00:00:00:00:11', [
      { name: '_shelly._tcp.local', type: 'PTR', ttl: 120, data: 'shellyplus1pm-a8032ab1c2d3._shelly._tcp.local' },
      { name: '_http._tcp.local', type: 'PTR', ttl: 120, data: 'shellyplus1pm-a8032ab1c2d3._http._tcp.local' },
    ]));
    const d = inv.get('02:00:00:00:00:11')!;
    expect(d.vendor).toBe('Shelly');
    expect(d.category).toBe('smart-plug');
    expect(details(inv, d.mac)).toEqual(expect.arrayContaining([
      'mDNS service _shelly._tcp (Home Assistant shelly matcher)',
      'mDNS service _http._tcp, name shellyplus1pm-a8032ab1c2d3._http._tcp.local. (Home Assistant shelly matcher shelly*)',
    ]));
  });

  it('zeroconf TXT property (_airplay._tcp manufacturer=samsung*) is a Samsung TV', () => {
    const inv = new Inventory({ fingerprintsDir: HA_ONLY });
    inv.observe(mdnsResponse('02:00:00:00:00:12', [
      { name: 'Living Room TV._airplay._tcp.local', type: 'TXT', ttl: 120, data: '', txt: ['manufacturer=Samsung', 'model=QE55Q80A'] },
    ]));
    const d = inv.get('02:00:00:00:00:12')!;
    expect(d.vendor).toBe('Samsung');
    expect(d.category).toBe(kindNow('tv'));
    expect(details(inv, d.mac)).toContain('mDNS service _airplay._tcp, TXT manufacturer=Samsung (Home Assistant samsungtv matcher)');
  });

  it('a HomeKit model is matched by its part before the first space ("tado Internet Bridge" -> tado)', () => {
    const inv = new Inventory({ fingerprintsDir: HA_ONLY });
    inv.observe(mdnsResponse('02:00:00:00:00:13', [
      { name: 'tado Internet Bridge ABCD._hap._tcp.local', type: 'TXT', ttl: 120, data: '', txt: ['md=tado Internet Bridge', 'ci=2'] },
    ]));
    const d = inv.get('02:00:00:00:00:13')!;
    expect(d.vendor).toBe('tado');
    expect(d.category).toBe(kindNow('thermostat'));
    expect(details(inv, d.mac)).toContain('mDNS HomeKit model md=tado Internet Bridge (Home Assistant tado matcher tado)');
  });

  it('SSDP NT (urn:lge-com:service:webos-second-screen:1) is an LG TV', () => {
    const inv = new Inventory({ fingerprintsDir: HA_ONLY });
    inv.observe(ssdp({ src_mac: '02:00:00:00:00:14', nt: 'urn:lge-com:service:webos-second-screen:1' }));
    const d = inv.get('02:00:00:00:00:14')!;
    expect(d.vendor).toBe('LG Electronics');
    expect(d.category).toBe(kindNow('tv'));
    expect(details(inv, d.mac)).toContain('SSDP NT/ST urn:lge-com:service:webos-second-screen:1 (Home Assistant webostv matcher)');
  });

  it('a UPnP description (manufacturer + modelName) is an Xbox', () => {
    const inv = new Inventory({ fingerprintsDir: HA_ONLY });
    inv.observe(dhcp({ client_mac: '02:00:00:00:00:15', hostname: 'console', ciaddr: '192.168.1.77' }));
    inv.observeUpnp('192.168.1.77', { manufacturer: 'Microsoft Corporation', model_name: 'Xbox One' }, 9_000_000);
    const d = inv.get('02:00:00:00:00:15')!;
    expect(d.vendor).toBe('Microsoft');
    expect(d.category).toBe(kindNow('game-console'));
    expect(details(inv, d.mac)).toContain('UPnP manufacturer Microsoft Corporation, modelName Xbox One (Home Assistant xbox matcher)');
  });

  it('globs are fnmatch: "(bosch|neff|siemens)-*" is literal in Home Assistant too, so it matches no real host name', () => {
    const inv = new Inventory({ fingerprintsDir: HA_ONLY });
    inv.observe(dhcp({ client_mac: '38:b4:d3:11:22:33', hostname: 'bosch-dishwasher-1234' }));
    expect(details(inv, '38:b4:d3:11:22:33').some((x) => x.includes('home_connect'))).toBe(false);
    expect(globToRegExp('(bosch|neff|siemens)-*').test('(bosch|neff|siemens)-x')).toBe(true);
  });

  it('generic-word host-name globs are left out (dropped at import): a Ricoh printer is no BleBox, an ESPHome motion sensor no Motionblinds hub', () => {
    const inv = new Inventory({ fingerprintsDir: HA_ONLY });
    inv.observe(dhcp({ client_mac: '00:26:73:11:22:33', hostname: 'ricoh-mp-c3004' }));
    inv.observe(dhcp({ client_mac: '24:0a:c4:11:22:33', hostname: 'motion_sensor_hall' }));
    expect(details(inv, '00:26:73:11:22:33').some((x) => x.includes('Home Assistant'))).toBe(false);
    expect(details(inv, '24:0a:c4:11:22:33').some((x) => x.includes('Home Assistant'))).toBe(false);
    // The product names of the same integrations still match.
    inv.observe(dhcp({ client_mac: '02:00:00:00:00:16', hostname: 'wlightbox-1a2b' }));
    expect(inv.get('02:00:00:00:00:16')!.vendor).toBe('BleBox');
  });

  it('a Wi-Fi module default host name on a module MAC is left out (dropped at import): no Magic Home', () => {
    const inv = new Inventory({ fingerprintsDir: HA_ONLY });
    inv.observe(dhcp({ client_mac: 'ac:cf:23:11:22:33', hostname: 'HF-LPB100-ZJ200' }));
    expect(inv.get('ac:cf:23:11:22:33')!.vendor).not.toBe('Magic Home');
    expect(details(inv, 'ac:cf:23:11:22:33').some((x) => x.includes('Home Assistant'))).toBe(false);
  });
});

describe('the tables as data', () => {
  const text = readFileSync(DATA, 'utf8');

  it('loads every matcher usable without Home Assistant\'s device registry, and counts the rest', () => {
    const t = new HaTables(text);
    expect(t.errors).toEqual([]);
    const loaded = Object.values(t.stats.loaded).reduce((a, b) => a + b, 0);
    expect(loaded).toBeGreaterThan(600);
    expect(t.stats.skipped['dhcp registered_devices']).toBeGreaterThan(30);
    expect(t.sources.map((s) => s.table)).toEqual(['dhcp', 'zeroconf', 'ssdp']);
  });

  it('is indexed: one DHCP observation compiles only its own buckets\' globs, not the hundreds loaded', () => {
    const t = new HaTables(text);
    const before = compiledGlobCount();
    const o: Observation = { kind: 'dhcp', source: 'dhcp', mac: '50:c7:bf:00:fc:a3', ip: null, ts: 1, fields: new Map([['hostname', ['hs100']]]) };
    expect(t.match(o).map((m) => m.vendor)).toEqual(['TP-Link']);
    const compiled = compiledGlobCount() - before;
    expect(compiled).toBeGreaterThan(0);
    expect(compiled).toBeLessThan(40);
  });

  it('refuses a bad line with its number and loads the rest', () => {
    const lines = text.trimEnd().split('\n');
    const n = lines.length;
    lines.push('["dhcp",0,"no_such_domain","x*",null,0,null]', '{not json', '["usb",0,"tplink"]', '["dhcp",0,"tplink","hs*","50C7BF*",0,7]');
    const t = new HaTables(lines.join('\n'));
    expect(t.errors).toEqual([`line ${n + 1}: unknown domain no_such_domain`, `line ${n + 2}: not JSON`, `line ${n + 3}: unknown table usb`, `line ${n + 4}: bad kind in dhcp row`]);
    expect(Object.values(t.stats.loaded).reduce((a, b) => a + b, 0)).toBeGreaterThan(600);
    expect(new HaTables('{"format":"other"}\n').errors).toEqual(['line 1: not waakhond.ha-tables/1']);
  });

  it('an NT/ST glob (none upstream today) is tried as a glob, a literal ST by exact look-up', () => {
    const t = new HaTables([
      '{"format":"waakhond.ha-tables/1","sources":[]}',
      '["domain","nanoleaf","Nanoleaf","lighting"]',
      '["ssdp",2,"nanoleaf",{"st":"nanoleaf:nl*"}]',
      '["ssdp",2,"nanoleaf",{"st":"Nanoleaf_aurora:light"}]',
    ].join('\n'));
    expect(t.errors).toEqual([]);
    const st = (v: string): Observation => ({ kind: 'ssdp', source: 'ssdp', mac: null, ip: null, ts: 1, fields: new Map([['st', [v]]]) });
    expect(t.match(st('nanoleaf:nl42')).map((m) => m.detail)).toEqual(['SSDP NT/ST nanoleaf:nl42 (Home Assistant nanoleaf matcher)']);
    expect(t.match(st('nanoleaf_aurora:light')).length).toBe(1);
    expect(t.match(st('nanoleaf:x')).length).toBe(0);
  });

  it('glob language: * ? [set] [!set], "]" first in a set, "[" without "]" literal, case-insensitive', () => {
    expect(globToRegExp('shelly*').test('SHELLY1-ab')).toBe(true);
    expect(globToRegExp('ps?').test('ps3')).toBe(true);
    expect(globToRegExp('ps?').test('ps34')).toBe(false);
    expect(globToRegExp('k[lps]*').test('kp115')).toBe(true);
    expect(globToRegExp('k[!lps]*').test('kp115')).toBe(false);
    expect(globToRegExp('duco [[]ab[]].*').test('duco [ab]._http._tcp.local.')).toBe(true);
    expect(globToRegExp('a[bc').test('a[bc')).toBe(true);
    expect(globToRegExp('eheimdigital._http._tcp.local.').test('eheimdigitalx_http._tcp.local.')).toBe(false);
  });
});
