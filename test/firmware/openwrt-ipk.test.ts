// The .ipk built without the SDK: unpacked with tar and ar, its control data, scripts and files checked.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FW, ROOT, cleanTmp, run, stubBundle, tmpDir } from './helpers.js';

const BUILD = path.join(FW, 'openwrt', 'build-ipk.sh');
const MAKEFILE = readFileSync(path.join(FW, 'openwrt', 'waakhond', 'Makefile'), 'utf8');
const PKG_VERSION = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;

function build(bundle: string, out: string, ...extra: string[]) {
  const r = run('bash', [BUILD, '--bundle', bundle, '--out', out, ...extra], { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const ipk = readdirSync(out).find((f) => f.endsWith('.ipk'));
  if (!ipk) throw new Error('no .ipk');
  return path.join(out, ipk);
}

/** Entries of a .tar.gz: "mode uid/gid name". */
function listing(tgz: string): string[] {
  return run('tar', ['-tvzf', tgz, '--numeric-owner']).stdout.split('\n').filter(Boolean)
    .map((l) => { const f = l.split(/\s+/); return `${f[0]} ${f[1]} ${f.slice(5).join(' ')}`; });
}

describe('build-ipk.sh', () => {
  let ipk = '';
  let x = '';
  let bundle = '';
  beforeAll(() => {
    bundle = stubBundle(tmpDir('b'), PKG_VERSION);
    ipk = build(bundle, tmpDir('out'));
    x = tmpDir('x');
    run('tar', ['-xzf', ipk, '-C', x]);
    mkdirSync(path.join(x, 'control'));
    mkdirSync(path.join(x, 'data'));
    run('tar', ['-xzf', path.join(x, 'control.tar.gz'), '-C', path.join(x, 'control')]);
    run('tar', ['-xzf', path.join(x, 'data.tar.gz'), '-C', path.join(x, 'data')]);
  });
  afterAll(cleanTmp);

  it('is named NAME_VERSION-RELEASE_all.ipk after the Makefile', () => {
    expect(path.basename(ipk)).toBe(`waakhond_${PKG_VERSION}-1_all.ipk`);
    expect(MAKEFILE).toMatch(new RegExp(`^PKG_VERSION:=${PKG_VERSION.replaceAll('.', '\\.')}$`, 'm'));
  });

  it('is the OpenWrt outer format: gzipped tar of debian-binary, data.tar.gz, control.tar.gz', () => {
    expect(run('tar', ['-tzf', ipk]).stdout.split('\n').filter(Boolean)).toEqual(['./debian-binary', './data.tar.gz', './control.tar.gz']);
    expect(readFileSync(path.join(x, 'debian-binary'), 'utf8')).toBe('2.0\n');
  });

  it('has the control fields opkg and default_postinst use', () => {
    const control = readFileSync(path.join(x, 'control', 'control'), 'utf8');
    const field = (k: string) => new RegExp(`^${k}: (.*)$`, 'm').exec(control)?.[1];
    expect(field('Package')).toBe('waakhond');
    expect(field('Version')).toBe(`${PKG_VERSION}-1`);
    expect(field('Architecture')).toBe('all');
    expect(field('Depends')).toMatch(/\bnode\b/);
    expect(field('Depends')).toMatch(/\btcpdump/);
    expect(field('Require-User')).toBe('waakhond=374:waakhond=374');
    expect(field('License')).toBe('MIT');
    // As OpenWrt's ipkg-build: the size of the uncompressed data tar.
    const dataTar = run('sh', ['-c', `gzip -dc '${path.join(x, 'data.tar.gz')}' | wc -c`]).stdout.trim();
    expect(field('Installed-Size')).toBe(dataTar);
    expect(control).toMatch(/^Description: .+\n( .+\n)+$/m);
  });

  it('keeps /etc/config/waakhond as a conffile', () => {
    expect(readFileSync(path.join(x, 'control', 'conffiles'), 'utf8')).toBe('/etc/config/waakhond\n');
    expect(MAKEFILE).toMatch(/define Package\/waakhond\/conffiles\n\/etc\/config\/waakhond\nendef/);
  });

  it('has executable maintainer scripts that hand over to OpenWrt defaults', () => {
    for (const [f, fn] of [['postinst', 'default_postinst'], ['prerm', 'default_prerm']]) {
      const p = path.join(x, 'control', f);
      expect(statSync(p).mode & 0o111).toBe(0o111);
      const text = readFileSync(p, 'utf8');
      expect(text.startsWith('#!/bin/sh\n')).toBe(true);
      expect(text).toContain(`${fn} "$0" "$@"`);
      expect(run('sh', ['-n', p]).status).toBe(0);
    }
  });

  it('installs the program, init, config, uci-defaults, keep.d, capabilities and helpers with the right modes', () => {
    const l = listing(path.join(x, 'data.tar.gz'));
    const has = (mode: string, name: string) => expect(l).toContain(`${mode} 0/0 ${name}`);
    has('-rwxr-xr-x', './etc/init.d/waakhond');
    has('-rw-------', './etc/config/waakhond');
    has('-rwxr-xr-x', './etc/uci-defaults/90-waakhond');
    has('-rw-r--r--', './lib/upgrade/keep.d/waakhond');
    has('-rw-r--r--', './etc/capabilities/waakhond.json');
    has('-rwxr-xr-x', './usr/libexec/waakhond/run');
    has('-rwxr-xr-x', './usr/libexec/waakhond/uci2json');
    has('-rw-r--r--', './usr/share/waakhond/dist/waakhond.mjs');
    has('-rw-r--r--', './usr/share/waakhond/rules/packs/x.yaml');
    expect(l).toContain('lrwxrwxrwx 0/0 ./usr/bin/waakhond -> ../share/waakhond/bin/waakhond');
    expect(l.every((e) => e.split(' ')[1] === '0/0')).toBe(true);
    // The Pi installer is not for routers.
    expect(l.some((e) => e.includes('firmware-scripts/pi'))).toBe(false);
  });

  it('keeps the flash copy of the data across sysupgrade', () => {
    expect(readFileSync(path.join(x, 'data', 'lib', 'upgrade', 'keep.d', 'waakhond'), 'utf8')).toBe('/etc/waakhond/\n');
    const conf = readFileSync(path.join(x, 'data', 'etc', 'config', 'waakhond'), 'utf8');
    expect(conf).toContain("option persist_dir '/etc/waakhond/store'");
    expect(conf).toContain("option data_dir '/tmp/waakhond'");
  });

  it('adds a LuCI menu entry whose view and ACL exist', () => {
    const d = path.join(x, 'data');
    const menu = JSON.parse(readFileSync(path.join(d, 'usr/share/luci/menu.d/luci-app-waakhond.json'), 'utf8'));
    const entry = menu['admin/services/waakhond'];
    expect(entry.action.type).toBe('view');
    expect(existsSync(path.join(d, 'www/luci-static/resources/view', `${entry.action.path}.js`))).toBe(true);
    const acl = JSON.parse(readFileSync(path.join(d, 'usr/share/rpcd/acl.d/luci-app-waakhond.json'), 'utf8'));
    expect(Object.keys(acl)).toEqual(entry.depends.acl);
    const view = readFileSync(path.join(d, 'www/luci-static/resources/view/waakhond/dashboard.js'), 'utf8');
    expect(view).toContain("uci.get('waakhond', 'main', 'port')");
    expect(run(process.execPath, ['--check', path.join(d, 'www/luci-static/resources/view/waakhond/dashboard.js')]).status).toBe(0);
  });

  it('is reproducible: the same inputs give the same bytes', () => {
    const again = build(bundle, tmpDir('out2'));
    const h = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    expect(h(again)).toBe(h(ipk));
  });

  it('--format ar writes the Debian-style ar archive with the same members', () => {
    const arIpk = build(bundle, tmpDir('outar'), '--format', 'ar');
    expect(readFileSync(arIpk).subarray(0, 8).toString()).toBe('!<arch>\n');
    expect(run('ar', ['t', arIpk]).stdout.split('\n').filter(Boolean)).toEqual(['debian-binary', 'control.tar.gz', 'data.tar.gz']);
  });

  it('refuses a bundle without the daemon', () => {
    const empty = tmpDir('empty');
    const r = run('bash', [BUILD, '--bundle', empty, '--out', tmpDir('o')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('no dist/waakhond.mjs');
  });
});

describe('uci-defaults', () => {
  afterAll(cleanTmp);

  /** Runs 90-waakhond with a stub `uci` that answers from a key=value file and records sets. */
  function defaults(state: Record<string, string>) {
    const dir = tmpDir('ud');
    const db = path.join(dir, 'db');
    writeFileSync(db, Object.entries(state).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    writeFileSync(path.join(dir, 'uci'), `#!/bin/sh
[ "$1" = -q ] && shift
case "$1" in
  get) v=$(grep "^$2=" "${db}" | cut -d= -f2-); [ -n "$v" ] && echo "$v" ;;
  set) echo "set $2" >> "${dir}/log" ;;
  commit) echo "commit $2" >> "${dir}/log" ;;
esac
`, { mode: 0o755 });
    const r = run('sh', [path.join(FW, 'openwrt', 'waakhond', 'files', 'waakhond.defaults')], { env: { PATH: `${dir}:${process.env.PATH}` } });
    expect(r.status).toBe(0);
    return existsSync(path.join(dir, 'log')) ? readFileSync(path.join(dir, 'log'), 'utf8') : '';
  }

  it('points a single-port LAN (no bridge) at its device', () => {
    expect(defaults({ 'network.lan.device': 'eth0', 'waakhond.main.interface': 'br-lan' })).toBe('set waakhond.main.interface=eth0\ncommit waakhond\n');
  });

  it('leaves br-lan and a user-chosen interface alone', () => {
    expect(defaults({ 'network.lan.device': 'br-lan', 'waakhond.main.interface': 'br-lan' })).toBe('');
    expect(defaults({ 'network.lan.device': 'eth0', 'waakhond.main.interface': 'wlan0' })).toBe('');
  });
});
