// The Home Assistant table importer (firmware-scripts/ha-import): real upstream lines in, JSON lines out,
// byte-identical on a rerun; anything the strict reader does not know is refused, not guessed.
//
// The fixture files below are real lines of hassfest's output, copied unchanged (layout included) from
// the stored versions the committed data was made from (see sensor/inventory/fingerprints/generated/NOTICE):
//   dhcp.py      tronikos/home-assistant-core      76c727703ddfe3cc5e022202708930febaf34b6b
//   zeroconf.py  rkenagy-ops/home-assistant-import 04c74eb92ab0d2be6a7c903fe7e43234720ec349
//   ssdp.py      sebastian-software/ha-lite        6481d6fe852332b37d735200609e16cb5bc6a73b
// and two broken stored versions of home-assistant/core itself (merge-conflict markers, a missing comma).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate, loadDomains } from '../../firmware-scripts/ha-import/import.mjs';
import { parseModule, PyLiteralError } from '../../firmware-scripts/ha-import/pyliteral.mjs';
import { PROJECT_ROOT } from '../helpers/shared.js';

const SCRIPT = path.join(PROJECT_ROOT, 'firmware-scripts', 'ha-import', 'import.mjs');
const HEAD = '"""Automatically generated file.\n\nTo update, run python3 -m script.hassfest\n"""\n\n';

const DHCP = `${HEAD}from typing import Final

DHCP: Final[list[dict[str, str | bool]]] = [
    {
        "domain": "airzone",
        "macaddress": "E84F25*",
    },
    {
        "domain": "axis",
        "registered_devices": True,
    },
    {
        "domain": "home_connect",
        "hostname": "(bosch|neff|siemens)-*",
        "macaddress": "38B4D3*",
    },
    {
        "domain": "tplink",
        "hostname": "k[lps]*",
        "macaddress": "5091E3*",
    },
    {
        "domain": "tplink",
        "hostname": "p1*",
        "macaddress": "5091E3*",
    },
]
`;

const ZEROCONF = `${HEAD}HOMEKIT = {
    "BSB002": {
        "always_discover": False,
        "domain": "hue",
    },
    "ecobee*": {
        "always_discover": True,
        "domain": "ecobee",
    },
}

ZEROCONF = {
    "_PowerView-G3._tcp.local.": [
        {
            "domain": "hunterdouglas_powerview",
        },
    ],
    "_http._tcp.local.": [
        {
            "domain": "shelly",
            "name": "shelly*",
        },
        {
            "domain": "synology_dsm",
            "properties": {
                "vendor": "synology*",
            },
        },
    ],
}
`;

const SSDP = `${HEAD}from typing import Final

SSDP: Final[dict[str, list[dict[str, str]]]] = {
    "roku": [
        {
            "deviceType": "urn:roku-com:device:player:1-0",
            "manufacturer": "Roku",
            "st": "roku:ecp",
        },
    ],
    "webostv": [
        {
            "st": "urn:lge-com:service:webos-second-screen:1",
        },
    ],
}
`;

const SOURCES = {
  'dhcp.py': { repo: 'tronikos/home-assistant-core', path: 'homeassistant/generated/dhcp.py', commit: '76c727703ddfe3cc5e022202708930febaf34b6b' },
  'zeroconf.py': { repo: 'rkenagy-ops/home-assistant-import', path: 'homeassistant/generated/zeroconf.py', commit: '04c74eb92ab0d2be6a7c903fe7e43234720ec349' },
  'ssdp.py': { repo: 'sebastian-software/ha-lite', path: 'homeassistant/generated/ssdp.py', commit: '6481d6fe852332b37d735200609e16cb5bc6a73b' },
};

/** A curated table for the fixture alone (the shipped one may change its wording). */
const DOMAINS = `domains:
  airzone: { brand: Airzone, kind: thermostat, why: "HVAC zoning" }
  axis: { brand: Axis, kind: camera, why: "network cameras" }
  home_connect: { brand: BSH (Bosch/Siemens), kind: appliance, why: "appliances" }
  tplink: { brand: TP-Link, why: "several kinds", globs: { "p1*": smart-plug } }
  hue: { brand: Philips Hue, kind: lighting, why: "bridge" }
  ecobee: { brand: ecobee, kind: thermostat, why: "thermostats" }
  hunterdouglas_powerview: { brand: Hunter Douglas, kind: hub, why: "shade hub" }
  shelly: { brand: Shelly, kind: smart-plug, why: "relays" }
  synology_dsm: { brand: Synology, kind: nas, why: "NAS" }
  roku: { brand: Roku, kind: media, why: "players" }
  webostv: { brand: LG Electronics, kind: tv, why: "TVs" }
`;

const tmp: string[] = [];
afterAll(() => { for (const d of tmp) rmSync(d, { recursive: true, force: true }); });

function fixtureDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ha-import-'));
  tmp.push(dir);
  const all: Record<string, string> = { 'dhcp.py': DHCP, 'zeroconf.py': ZEROCONF, 'ssdp.py': SSDP, 'SOURCES.json': JSON.stringify(SOURCES), 'domains.yaml': DOMAINS, ...files };
  for (const [n, t] of Object.entries(all)) writeFileSync(path.join(dir, n), t);
  return dir;
}

function cli(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('ha-import on real upstream lines', () => {
  it('writes one JSON line per matcher with source, domain, brand/kind and the match fields', () => {
    const dir = fixtureDir();
    const g = generate(dir, path.join(dir, 'domains.yaml'));
    const lines = g.jsonl.trimEnd().split('\n');
    const head = JSON.parse(lines[0]);
    expect(head.format).toBe('waakhond.ha-tables/1');
    expect(head.sources).toEqual([
      { table: 'dhcp', ...SOURCES['dhcp.py'] },
      { table: 'zeroconf', ...SOURCES['zeroconf.py'] },
      { table: 'ssdp', ...SOURCES['ssdp.py'] },
    ]);
    expect(head.counts).toEqual({ dhcp: 5, homekit: 2, zeroconf: 3, ssdp: 2 });
    expect(lines.slice(1)).toEqual([
      '["domain","airzone","Airzone","thermostat"]',
      '["domain","axis","Axis","camera"]',
      '["domain","ecobee","ecobee","thermostat"]',
      '["domain","home_connect","BSH (Bosch/Siemens)","appliance"]',
      '["domain","hue","Philips Hue","lighting"]',
      '["domain","hunterdouglas_powerview","Hunter Douglas","hub"]',
      '["domain","roku","Roku","media"]',
      '["domain","shelly","Shelly","smart-plug"]',
      '["domain","synology_dsm","Synology","nas"]',
      '["domain","tplink","TP-Link",null]',
      '["domain","webostv","LG Electronics","tv"]',
      '["dhcp",0,"airzone",null,"E84F25*",0,null]',
      '["dhcp",0,"axis",null,null,1,null]',
      '["dhcp",0,"home_connect","(bosch|neff|siemens)-*","38B4D3*",0,null]',
      '["dhcp",0,"tplink","k[lps]*","5091E3*",0,null]',
      '["dhcp",0,"tplink","p1*","5091E3*",0,"smart-plug"]',
      '["homekit",1,"hue","BSB002",null]',
      '["homekit",1,"ecobee","ecobee*",null]',
      '["zeroconf",1,"hunterdouglas_powerview","_PowerView-G3._tcp.local.",null,null,null]',
      '["zeroconf",1,"shelly","_http._tcp.local.","shelly*",null,null]',
      '["zeroconf",1,"synology_dsm","_http._tcp.local.",null,{"vendor":"synology*"},null]',
      '["ssdp",2,"roku",{"deviceType":"urn:roku-com:device:player:1-0","manufacturer":"Roku","st":"roku:ecp"}]',
      '["ssdp",2,"webostv",{"st":"urn:lge-com:service:webos-second-screen:1"}]',
    ]);
    expect(g.notice).toContain('Apache License, Version 2.0');
    expect(g.notice).toContain('tronikos/home-assistant-core homeassistant/generated/dhcp.py 76c727703ddfe3cc5e022202708930febaf34b6b');
  });

  it('regenerates byte-identically (--check passes on its own output, fails after an edit)', () => {
    const dir = fixtureDir();
    const out = path.join(dir, 'out');
    const a = cli(['--from', dir, '--out', out, '--domains', path.join(dir, 'domains.yaml')]);
    expect(a.status, a.out).toBe(0);
    const first = readFileSync(path.join(out, 'ha-tables.jsonl'), 'utf8');
    expect(cli(['--from', dir, '--out', out, '--domains', path.join(dir, 'domains.yaml')]).status).toBe(0);
    expect(readFileSync(path.join(out, 'ha-tables.jsonl'), 'utf8')).toBe(first);
    expect(cli(['--from', dir, '--out', out, '--domains', path.join(dir, 'domains.yaml'), '--check']).status).toBe(0);
    writeFileSync(path.join(out, 'ha-tables.jsonl'), first.replace('"Shelly"', '"Shelley"'));
    const c = cli(['--from', dir, '--out', out, '--domains', path.join(dir, 'domains.yaml'), '--check']);
    expect(c.status).toBe(1);
    expect(c.out).toContain('differs');
  });

  it('reads the commit of a home-assistant/core checkout from git', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ha-core-'));
    tmp.push(dir);
    const gen = path.join(dir, 'homeassistant', 'generated');
    mkdirSync(gen, { recursive: true });
    writeFileSync(path.join(gen, 'dhcp.py'), DHCP);
    writeFileSync(path.join(gen, 'zeroconf.py'), ZEROCONF);
    writeFileSync(path.join(gen, 'ssdp.py'), SSDP);
    const git = (...a: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { encoding: 'utf8' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'fixture');
    const head = git('rev-parse', 'HEAD').trim();
    const domains = fixtureDir();
    const g = generate(dir, path.join(domains, 'domains.yaml'));
    expect(JSON.parse(g.jsonl.split('\n')[0]).sources[0]).toEqual({ table: 'dhcp', repo: 'home-assistant/core', path: 'homeassistant/generated/dhcp.py', commit: head });
  });
});

describe('ha-import refuses what it does not know', () => {
  const refused = (files: Record<string, string>) => {
    const dir = fixtureDir(files);
    const r = cli(['--from', dir, '--out', path.join(dir, 'out'), '--domains', path.join(dir, 'domains.yaml')]);
    expect(r.status).toBe(1);
    return r.out;
  };

  it('merge-conflict markers (a stored home-assistant/core dhcp.py, commit 00107408)', () => {
    const conflicted = `${HEAD}from __future__ import annotations

<<<<<<< HEAD
DHCP: list[dict[str, str | bool]] = [
    {"domain": "august", "hostname": "connect", "macaddress": "D86162*"},
=======
# fmt: off
`;
    expect(refused({ 'dhcp.py': conflicted })).toMatch(/refused: dhcp\.py: merge-conflict marker at line 8, column 1/);
  });

  it('a missing comma (a stored home-assistant/core ssdp.py, commit 028d6ff7)', () => {
    const broken = `${HEAD}# fmt: off

SSDP = {
    "roku": [
        {
            "deviceType": "urn:schemas-upnp-org:device:MediaServer:1"
            "manufacturer": "Denon"
        }
    ]
}
`;
    expect(refused({ 'ssdp.py': broken })).toMatch(/implicit string concatenation is not expected at line 12, column 13/);
  });

  it('a call, an f-string, an unknown key, an unknown domain, an unknown table', () => {
    expect(refused({ 'dhcp.py': DHCP.replace('DHCP: Final[list[dict[str, str | bool]]] = [', 'DHCP = list([') })).toContain('unrecognised value');
    expect(refused({ 'zeroconf.py': ZEROCONF.replace('"shelly*"', 'f"shelly*"') })).toContain('unrecognised value');
    expect(refused({ 'dhcp.py': DHCP.replace('"registered_devices": True', '"vendor_class": "x"') })).toContain('unknown key "vendor_class"');
    expect(refused({ 'domains.yaml': DOMAINS.replace(/^ {2}shelly:.*$/m, '') })).toContain('domain "shelly" is not in domains.yaml');
    expect(refused({ 'ssdp.py': SSDP.replace('SSDP: Final', 'USB: Final') })).toContain('expected exactly SSDP');
    expect(refused({ 'dhcp.py': DHCP.replace('"E84F25*"', '"e84f25*"') })).toContain('not an upper-case hex prefix glob');
  });

  it('the literal reader reports line and column', () => {
    expect(() => parseModule('X = {"a": 1}\n')).toThrow(PyLiteralError);
    expect(() => parseModule('X = {"a": 1}\n')).toThrow(/line 1, column 11/);
    expect(() => parseModule('import os\n')).toThrow(/unexpected statement "import"/);
    expect(parseModule('# c\nA: Final[dict[str, str]] = {"k": ["v", True, False,],}  # t\n')).toEqual({ A: { k: ['v', true, false] } });
  });
});

describe('the committed data', () => {
  it('has the brands and kinds of the curated domains.yaml (re-import after editing it)', () => {
    const dir = path.join(PROJECT_ROOT, 'sensor', 'inventory', 'fingerprints', 'generated');
    const domains = loadDomains();
    const lines = readFileSync(path.join(dir, 'ha-tables.jsonl'), 'utf8').trimEnd().split('\n');
    const rows = lines.slice(1).map((l) => JSON.parse(l) as unknown[]).filter((r) => r[0] === 'domain');
    expect(rows.length).toBeGreaterThan(200);
    for (const [, d, brand, kind] of rows) {
      const e = domains.get(d as string);
      expect(e, `${d as string} in domains.yaml`).toBeDefined();
      expect([brand, kind], d as string).toEqual([e!.brand, e!.kind]);
    }
    const notice = readFileSync(path.join(dir, 'NOTICE'), 'utf8');
    for (const s of (JSON.parse(lines[0]) as { sources: { repo: string; path: string; commit: string }[] }).sources) {
      expect(notice).toContain(`${s.repo} ${s.path} ${s.commit}`);
    }
  });
});
