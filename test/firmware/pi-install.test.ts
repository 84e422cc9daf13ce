// firmware-scripts/pi/install.sh into a temporary root: files, owners, modes, upgrades, settings kept, uninstall.
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FW, IS_ROOT, cleanTmp, run, stubBundle, tmpDir } from './helpers.js';

const INSTALL = path.join(FW, 'pi', 'install.sh');

function newRoot(): string {
  const r = tmpDir('piroot');
  mkdirSync(path.join(r, 'etc'), { recursive: true });
  writeFileSync(path.join(r, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(path.join(r, 'etc', 'group'), 'root:x:0:\n');
  writeFileSync(path.join(r, 'etc', 'shadow'), 'root:*:19000:0:99999:7:::\n', { mode: 0o640 });
  writeFileSync(path.join(r, 'etc', 'gshadow'), 'root:*::\n', { mode: 0o640 });
  return r;
}

function install(root: string, bundle: string, ...extra: string[]) {
  return run('bash', [INSTALL, '--root', root, '--bundle', bundle, '--node', process.execPath, '--yes', ...extra]);
}

const userLine = (root: string) => readFileSync(path.join(root, 'etc', 'passwd'), 'utf8').split('\n').find((l) => l.startsWith('waakhond:'));

describe('pi/install.sh --root', () => {
  let root = '';
  let b1 = '';
  let b2 = '';
  let first = { status: 0 as number | null, stdout: '', stderr: '' };
  beforeAll(() => {
    root = newRoot();
    b1 = stubBundle(tmpDir('b1'), '0.1.0');
    b2 = stubBundle(tmpDir('b2'), '0.2.0');
    first = install(root, b1, '--iface', 'eth9', '--port', '8181');
  });
  afterAll(cleanTmp);
  const p = (rel: string) => path.join(root, rel);
  const mode = (rel: string) => (statSync(p(rel)).mode & 0o7777).toString(8);

  it('installs without errors and says where', () => {
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('installing 0.1.0');
    expect(first.stdout).toContain('watching interface eth9');
  });

  it('installs the program to /opt/waakhond, read-only for others', () => {
    expect(readFileSync(p('opt/waakhond/VERSION'), 'utf8')).toMatch(/^0\.1\.0/);
    expect(mode('opt/waakhond/dist/waakhond.mjs')).toBe('755');
    expect(mode('opt/waakhond/rules/packs/x.yaml')).toBe('644');
    expect(existsSync(p('opt/waakhond.new')) || existsSync(p('opt/waakhond.old'))).toBe(false);
  });

  it('puts the CLI on PATH (/usr/local/bin/waakhond -> the bundle launcher)', () => {
    expect(lstatSync(p('usr/local/bin/waakhond')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(p('usr/local/bin/waakhond'))).toBe('/opt/waakhond/bin/waakhond');
  });

  it('creates a system user with no login shell', () => {
    const u = userLine(root)?.split(':') ?? [];
    expect(u[0]).toBe('waakhond');
    expect(Number(u[2])).toBeLessThan(1000);
    expect(u[5]).toBe('/var/lib/waakhond');
    expect(u[6]).toMatch(/nologin$/);
  });

  it('gives the data directory to that user only', () => {
    const uid = Number(userLine(root)?.split(':')[2]);
    const st = statSync(p('var/lib/waakhond'));
    expect(mode('var/lib/waakhond')).toBe('750');
    if (IS_ROOT) expect(st.uid).toBe(uid);
  });

  it('writes the settings: interface, port, and a config readable by the service group only', () => {
    const env = readFileSync(p('etc/waakhond/waakhond.env'), 'utf8');
    expect(env).toMatch(/^WAAKHOND_IFACE=eth9$/m);
    expect(env).toMatch(/^WAAKHOND_PORT=8181$/m);
    expect(JSON.parse(readFileSync(p('etc/waakhond/config.json'), 'utf8'))).toEqual({});
    expect(mode('etc/waakhond/config.json')).toBe('640');
  });

  it('installs the unit with the node it checked and no placeholders left', () => {
    const unit = readFileSync(p('etc/systemd/system/waakhond.service'), 'utf8');
    expect(unit).not.toMatch(/@[A-Z]+@/);
    expect(unit).toContain(`ExecStart=${process.execPath} `);
    expect(unit).toContain('ReadWritePaths=/var/lib/waakhond');
  });

  it('upgrades in place, keeping settings and the user', () => {
    writeFileSync(p('etc/waakhond/config.json'), '{"exports":{"site_id":"kept"}}\n');
    writeFileSync(p('var/lib/waakhond/db.json'), '{"devices":{}}');
    const passwdBefore = readFileSync(p('etc/passwd'), 'utf8');
    const r = install(root, b2);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('upgrading 0.1.0 -> 0.2.0');
    expect(readFileSync(p('opt/waakhond/VERSION'), 'utf8')).toMatch(/^0\.2\.0/);
    expect(readFileSync(p('etc/waakhond/config.json'), 'utf8')).toContain('"kept"');
    expect(readFileSync(p('var/lib/waakhond/db.json'), 'utf8')).toBe('{"devices":{}}');
    expect(readFileSync(p('etc/waakhond/waakhond.env'), 'utf8')).toMatch(/^WAAKHOND_IFACE=eth9$/m);
    expect(readFileSync(p('etc/passwd'), 'utf8')).toBe(passwdBefore);
  });

  it('keeps an optional native pcap addon (node_modules) across upgrades', () => {
    mkdirSync(p('opt/waakhond/node_modules/pcap'), { recursive: true });
    writeFileSync(p('opt/waakhond/node_modules/pcap/package.json'), '{"name":"pcap"}');
    expect(install(root, b2).status).toBe(0);
    expect(readFileSync(p('opt/waakhond/node_modules/pcap/package.json'), 'utf8')).toBe('{"name":"pcap"}');
  });

  it('is idempotent: the same install twice leaves the same tree', () => {
    const list = () => run('find', [root, '-printf', '%P %m %U %s\\n']).stdout.split('\n').sort().join('\n');
    const before = list();
    expect(install(root, b2).status).toBe(0);
    expect(list()).toBe(before);
  });

  it('changes the interface when asked again', () => {
    expect(install(root, b2, '--iface', 'wlan0').status).toBe(0);
    expect(readFileSync(p('etc/waakhond/waakhond.env'), 'utf8')).toMatch(/^WAAKHOND_IFACE=wlan0$/m);
  });

  it('refuses an interface name that is not one', () => {
    const r = install(root, b2, '--iface', 'eth0; reboot');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('not an interface name');
  });

  it('refuses Node.js older than 20 and says how to get it', () => {
    const dir = tmpDir('oldnode');
    const fake = path.join(dir, 'node');
    writeFileSync(fake, '#!/bin/sh\necho 18.19.1\n');
    chmodSync(fake, 0o755);
    const r = run('bash', [INSTALL, '--root', newRoot(), '--bundle', b1, '--node', fake, '--yes', '--iface', 'eth0']);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('too old');
    expect(r.stderr).toContain('Node.js 20');
    expect(r.stderr).toContain('apt install nodejs');
  });

  it('refuses unknown options', () => {
    const r = run('bash', [INSTALL, '--frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option');
  });

  it('--uninstall removes the program and unit but keeps data and settings', () => {
    const r = run('bash', [INSTALL, '--root', root, '--uninstall']);
    expect(r.status).toBe(0);
    expect(existsSync(p('opt/waakhond'))).toBe(false);
    expect(existsSync(p('etc/systemd/system/waakhond.service'))).toBe(false);
    expect(() => lstatSync(p('usr/local/bin/waakhond'))).toThrow();
    expect(existsSync(p('var/lib/waakhond/db.json'))).toBe(true);
    expect(existsSync(p('etc/waakhond/config.json'))).toBe(true);
  });

  it('--uninstall --purge removes data, settings and the user', () => {
    const r = run('bash', [INSTALL, '--root', root, '--uninstall', '--purge']);
    expect(r.status).toBe(0);
    expect(existsSync(p('var/lib/waakhond'))).toBe(false);
    expect(existsSync(p('etc/waakhond'))).toBe(false);
    expect(userLine(root)).toBeUndefined();
  });
});
