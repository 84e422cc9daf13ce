#!/usr/bin/env node
// Imports Home Assistant's generated discovery tables (dhcp.py, zeroconf.py, ssdp.py) into sensor/inventory/fingerprints/generated/: ha-tables.jsonl and its NOTICE.
//
//   node firmware-scripts/ha-import/import.mjs --from DIR [--out DIR] [--check]
//
// DIR is a checkout of home-assistant/core (files under homeassistant/generated/, commit from git) or a
// folder holding the three files beside a SOURCES.json that names each one's repo, path and commit.
// Brand and kind come from the curated domains.yaml beside this script; a domain missing there, an
// unknown key or any construct the strict literal reader does not know is refused (exit 1): the
// importer never guesses. Output is deterministic: the same input gives the same bytes (--check
// compares instead of writing, exit 1 on a difference).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parseModule } from './pyliteral.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
export const FORMAT = 'waakhond.ha-tables/1';
export const TABLES = ['dhcp', 'zeroconf', 'ssdp'];
/** The kinds a curated entry may name: sensor/inventory/types.ts CATEGORIES plus those being added for issue #12. */
export const KINDS = new Set([
  'camera', 'smart-plug', 'hub', 'sensor', 'lighting', 'appliance', 'health', 'media', 'speaker', 'printer', 'nas',
  'router', 'phone', 'computer', 'other', 'lock', 'doorbell', 'thermostat', 'energy', 'vacuum', 'tv', 'game-console',
  'voice-assistant',
]);
/** Keys hassfest writes in each table's entries (script/hassfest/{dhcp,zeroconf,ssdp}.py); others are refused. */
const DHCP_KEYS = new Set(['domain', 'hostname', 'macaddress', 'registered_devices']);
const ZEROCONF_KEYS = new Set(['domain', 'name', 'properties']);
const HOMEKIT_KEYS = new Set(['domain', 'always_discover']);
const SSDP_KEYS = new Set(['st', 'nt', 'manufacturer', 'manufacturerURL', 'modelName', 'modelNumber', 'modelDescription', 'deviceType', 'friendlyName']);

export class ImportError extends Error {}
const refuse = (msg) => { throw new ImportError(msg); };

/** Where each table's file is and which commit it is, for a checkout or a scratch folder with SOURCES.json. */
export function locate(from) {
  const gen = path.join(from, 'homeassistant', 'generated');
  if (existsSync(gen)) {
    let commit;
    try { commit = execFileSync('git', ['-C', from, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim(); } catch { refuse(`${from}: not a git checkout (need its commit)`); }
    if (!/^[0-9a-f]{40}$/.test(commit)) refuse(`${from}: odd commit ${commit}`);
    return Object.fromEntries(TABLES.map((t) => [t, { file: path.join(gen, `${t}.py`), repo: 'home-assistant/core', path: `homeassistant/generated/${t}.py`, commit }]));
  }
  const srcFile = path.join(from, 'SOURCES.json');
  if (!existsSync(srcFile)) refuse(`${from}: neither homeassistant/generated/ nor SOURCES.json`);
  const src = JSON.parse(readFileSync(srcFile, 'utf8'));
  return Object.fromEntries(TABLES.map((t) => {
    const s = src[`${t}.py`];
    if (!s || typeof s.repo !== 'string' || typeof s.path !== 'string' || !/^[0-9a-f]{40}$/.test(s.commit ?? '')) refuse(`SOURCES.json: ${t}.py needs repo, path and a 40-hex commit`);
    return [t, { file: path.join(from, `${t}.py`), repo: s.repo, path: s.path, commit: s.commit }];
  }));
}

/** The curated domain table: { domain: { brand|null, kind|null, globs } }, validated. */
export function loadDomains(file = path.join(HERE, 'domains.yaml')) {
  const doc = parseYaml(readFileSync(file, 'utf8'));
  const out = new Map();
  for (const [d, e] of Object.entries(doc?.domains ?? {})) {
    const bad = Object.keys(e ?? {}).filter((k) => !['brand', 'kind', 'why', 'generic', 'globs', 'drop'].includes(k));
    if (bad.length) refuse(`domains.yaml ${d}: unknown key(s) ${bad.join(', ')}`);
    if (!e.why) refuse(`domains.yaml ${d}: every entry says why`);
    if (e.generic ? e.brand : !e.brand) refuse(`domains.yaml ${d}: a brand, or generic: true (not both)`);
    for (const k of [e.kind, ...Object.values(e.globs ?? {})]) if (k != null && !KINDS.has(k)) refuse(`domains.yaml ${d}: unknown kind ${k}`);
    for (const [g, why] of Object.entries(e.drop ?? {})) if (typeof why !== 'string' || !why) refuse(`domains.yaml ${d}: drop ${g} needs a reason`);
    out.set(d, { brand: e.brand ?? null, kind: e.kind ?? null, globs: e.globs ?? {}, drop: e.drop ?? {} });
  }
  return out;
}

const str = (v, where) => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : refuse(`${where}: expected a non-empty string, got ${JSON.stringify(v)}`));
const onlyKeys = (o, keys, where) => {
  if (!o || typeof o !== 'object' || Array.isArray(o)) refuse(`${where}: expected a dict`);
  for (const k of Object.keys(o)) if (!keys.has(k)) refuse(`${where}: unknown key "${k}"`);
};

/** The matchers of the three parsed modules, in upstream order, as [table, src, domain, ...fields] rows. */
export function matchersOf(mods, domains) {
  const rows = [];
  const used = new Set();
  /** Matchers left out on purpose (domains.yaml drop: a Wi-Fi module's or TCP/IP stack's default name says no brand). */
  const dropped = [];
  const keep = (d, glob, where) => {
    const why = glob != null ? domains.get(d).drop[glob] : undefined;
    if (why) dropped.push(`${where} ${glob}: ${why}`);
    return !why;
  };
  const dom = (d, where) => {
    str(d, where);
    if (!domains.has(d)) refuse(`${where}: domain "${d}" is not in domains.yaml (curate it first)`);
    used.add(d);
    return d;
  };
  /** A per-matcher kind from domains.yaml globs, keyed by the matcher's glob, service type or property "key=glob". */
  const kindFor = (d, ...keys) => keys.map((k) => (k != null ? domains.get(d).globs[k] : undefined)).find((k) => k) ?? null;

  const dhcp = mods.dhcp;
  if (Object.keys(dhcp).join() !== 'DHCP' || !Array.isArray(dhcp.DHCP)) refuse('dhcp.py: expected exactly DHCP = [...]');
  dhcp.DHCP.forEach((e, i) => {
    const w = `dhcp.py DHCP[${i}]`;
    onlyKeys(e, DHCP_KEYS, w);
    const d = dom(e.domain, w);
    const host = e.hostname === undefined ? null : str(e.hostname, `${w}.hostname`);
    const mac = e.macaddress === undefined ? null : str(e.macaddress, `${w}.macaddress`);
    if (mac !== null && !/^[0-9A-F]{1,12}\*?$/.test(mac)) refuse(`${w}.macaddress: not an upper-case hex prefix glob: ${mac}`);
    const reg = e.registered_devices === undefined ? false : e.registered_devices;
    if (typeof reg !== 'boolean') refuse(`${w}.registered_devices: expected True/False`);
    if (!host && !mac && !reg) refuse(`${w}: matches nothing`);
    if (keep(d, host, w)) rows.push(['dhcp', 0, d, host, mac, reg ? 1 : 0, kindFor(d, host)]);
  });

  const zc = mods.zeroconf;
  const zk = Object.keys(zc).sort().join();
  if (zk !== 'HOMEKIT,ZEROCONF') refuse(`zeroconf.py: expected HOMEKIT and ZEROCONF, found ${zk}`);
  for (const [model, e] of Object.entries(zc.HOMEKIT)) {
    const w = `zeroconf.py HOMEKIT[${model}]`;
    onlyKeys(e, HOMEKIT_KEYS, w);
    const d = dom(e.domain, w);
    if (typeof e.always_discover !== 'boolean') refuse(`${w}.always_discover: expected True/False`);
    rows.push(['homekit', 1, d, str(model, w), kindFor(d, model)]);
  }
  for (const [type, list] of Object.entries(zc.ZEROCONF)) {
    const w0 = `zeroconf.py ZEROCONF[${type}]`;
    // Real types break RFC 6335's letters-digits-hyphens rule (_philipstv_rpc, _zigstar_gw): underscores pass.
    if (!/^_[a-z0-9_-]+\._(tcp|udp)\.local\.$/i.test(type)) refuse(`${w0}: not a DNS-SD service type`);
    if (!Array.isArray(list)) refuse(`${w0}: expected a list`);
    list.forEach((e, i) => {
      const w = `${w0}[${i}]`;
      onlyKeys(e, ZEROCONF_KEYS, w);
      const d = dom(e.domain, w);
      const name = e.name === undefined ? null : str(e.name, `${w}.name`);
      let props = null;
      if (e.properties !== undefined) {
        if (!e.properties || typeof e.properties !== 'object' || Array.isArray(e.properties)) refuse(`${w}.properties: expected a dict`);
        props = {};
        for (const [k, v] of Object.entries(e.properties)) props[str(k, `${w}.properties key`)] = str(v, `${w}.properties.${k}`);
      }
      const propKeys = Object.entries(props ?? {}).map(([k, v]) => `${k}=${v}`);
      if (keep(d, name, w)) rows.push(['zeroconf', 1, d, type, name, props, kindFor(d, name, ...propKeys, type)]);
    });
  }

  const ss = mods.ssdp;
  if (Object.keys(ss).join() !== 'SSDP' || !ss.SSDP || typeof ss.SSDP !== 'object' || Array.isArray(ss.SSDP)) refuse('ssdp.py: expected exactly SSDP = {...}');
  for (const [d0, list] of Object.entries(ss.SSDP)) {
    const w0 = `ssdp.py SSDP[${d0}]`;
    const d = dom(d0, w0);
    if (!Array.isArray(list)) refuse(`${w0}: expected a list`);
    list.forEach((e, i) => {
      const w = `${w0}[${i}]`;
      onlyKeys(e, SSDP_KEYS, w);
      if (!Object.keys(e).length) refuse(`${w}: matches nothing`);
      const f = {};
      for (const [k, v] of Object.entries(e)) f[k] = str(v, `${w}.${k}`);
      rows.push(['ssdp', 2, d, f]);
    });
  }
  return { rows, used, dropped };
}

/** The generated files' text: ha-tables.jsonl and NOTICE. */
export function generate(from, domainsFile) {
  const where = locate(from);
  const mods = {};
  for (const t of TABLES) {
    let text;
    try { text = readFileSync(where[t].file, 'utf8'); } catch (err) { refuse(`${where[t].file}: ${err.message}`); }
    try { mods[t] = parseModule(text); } catch (err) { refuse(`${t}.py: ${err.message}`); }
  }
  const domains = loadDomains(domainsFile);
  const { rows, used, dropped } = matchersOf(mods, domains);
  const sources = TABLES.map((t) => ({ table: t, repo: where[t].repo, path: where[t].path, commit: where[t].commit }));
  const counts = {};
  for (const r of rows) counts[r[0]] = (counts[r[0]] ?? 0) + 1;
  const head = {
    format: FORMAT,
    about: 'Home Assistant discovery matchers (homeassistant/generated/*.py), Apache-2.0, see NOTICE; brand and kind from firmware-scripts/ha-import/domains.yaml. Generated by firmware-scripts/ha-import/import.mjs: do not edit.',
    sources,
    counts,
    dropped,
  };
  const lines = [JSON.stringify(head)];
  for (const d of [...used].sort()) {
    const e = domains.get(d);
    lines.push(JSON.stringify(['domain', d, e.brand, e.kind]));
  }
  for (const r of rows) lines.push(JSON.stringify(r));
  const notice = [
    'ha-tables.jsonl in this folder is generated from Home Assistant\'s discovery tables:',
    '',
    '  Home Assistant Core, https://github.com/home-assistant/core',
    '  Copyright the Home Assistant authors.',
    '  Licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0',
    '',
    'Files and the stored versions read (repository, path, commit):',
    ...sources.map((s) => `  ${s.repo} ${s.path} ${s.commit}`),
    '',
    'Changes: the Python literals were read and rewritten as JSON lines (one matcher a line, fields',
    'unchanged), with a brand and a Waakhond device kind per integration domain added from',
    'firmware-scripts/ha-import/domains.yaml (Waakhond\'s own curation, not Home Assistant\'s).',
    'Regenerate: node firmware-scripts/ha-import/import.mjs --from <home-assistant/core checkout or folder>',
    '',
  ].join('\n');
  return { jsonl: lines.join('\n') + '\n', notice, counts };
}

function main(argv) {
  const arg = (n) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : undefined; };
  const from = arg('--from');
  if (!from) { console.error('usage: import.mjs --from DIR [--out DIR] [--domains FILE] [--check]'); return 2; }
  const out = arg('--out') ?? path.join(ROOT, 'sensor', 'inventory', 'fingerprints', 'generated');
  let g;
  try { g = generate(from, arg('--domains')); } catch (err) {
    if (err instanceof ImportError) { console.error(`ha-import: refused: ${err.message}`); return 1; }
    throw err;
  }
  const files = { 'ha-tables.jsonl': g.jsonl, NOTICE: g.notice };
  if (argv.includes('--check')) {
    let same = true;
    for (const [n, text] of Object.entries(files)) {
      const p = path.join(out, n);
      if (!existsSync(p) || readFileSync(p, 'utf8') !== text) { console.error(`ha-import: ${p} differs`); same = false; }
    }
    return same ? 0 : 1;
  }
  mkdirSync(out, { recursive: true });
  for (const [n, text] of Object.entries(files)) writeFileSync(path.join(out, n), text);
  console.log(`ha-import: ${Object.entries(g.counts).map(([k, v]) => `${v} ${k}`).join(', ')} -> ${out}`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
