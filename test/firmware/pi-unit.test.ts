// The Raspberry Pi systemd unit: systemd-analyze verify accepts it and it keeps the hardening issue 6 asks for.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FW, cleanTmp, have, run, tmpDir } from './helpers.js';

const TEMPLATE = readFileSync(path.join(FW, 'pi', 'waakhond.service'), 'utf8');

function render(text: string): string {
  return text.replaceAll('@NODE@', process.execPath).replaceAll('@PREFIX@', '/opt/waakhond')
    .replaceAll('@DATA@', '/var/lib/waakhond').replaceAll('@CONF@', '/etc/waakhond');
}

/** Key -> values (a key may repeat) of one [section]. */
function section(text: string, name: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^\[(.+)\]$/.exec(line);
    if (m) { cur = m[1]; continue; }
    if (cur !== name) continue;
    const eq = line.indexOf('=');
    const k = line.slice(0, eq);
    out.set(k, [...(out.get(k) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

function verify(text: string): { status: number | null; out: string } {
  const dir = tmpDir('unit');
  const f = path.join(dir, 'waakhond.service');
  writeFileSync(f, text);
  const r = run('systemd-analyze', ['verify', '--man=no', f]);
  return { status: r.status, out: (r.stdout + r.stderr).split('\n').filter((l) => l.includes('waakhond')).join('\n') };
}

describe('waakhond.service', () => {
  afterAll(cleanTmp);

  it('systemd-analyze is installed (apt-get install systemd)', () => {
    expect(have('systemd-analyze')).toBe(true);
  });

  it('passes systemd-analyze verify', () => {
    const r = verify(render(TEMPLATE));
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  it('systemd-analyze security (offline) rates its exposure below 3 of 10', () => {
    const dir = tmpDir('sec');
    const f = path.join(dir, 'waakhond.service');
    writeFileSync(f, render(TEMPLATE));
    const r = run('systemd-analyze', ['security', '--offline=yes', '--no-pager', f]);
    const level = Number(/Overall exposure level for waakhond\.service: ([\d.]+)/.exec(r.stdout + r.stderr)?.[1]);
    expect(level).toBeGreaterThan(0);
    expect(level).toBeLessThan(3);
    // The same unit without its sandbox rates far worse (the measure is live).
    writeFileSync(f, render(TEMPLATE).split('\n').filter((l) => !/^(Protect|Private|Restrict|SystemCall|CapabilityBounding|NoNewPriv)/.test(l)).join('\n'));
    const loose = run('systemd-analyze', ['security', '--offline=yes', '--no-pager', f]);
    expect(Number(/Overall exposure level for waakhond\.service: ([\d.]+)/.exec(loose.stdout + loose.stderr)?.[1])).toBeGreaterThan(6);
  });

  it('verify rejects a broken unit (the check is live)', () => {
    const r = verify(render(TEMPLATE).replace('ExecStart=' + process.execPath, 'ExecStart=relative/node'));
    expect(r.status).not.toBe(0);
  });

  it('has every placeholder filled by the installer', () => {
    expect(TEMPLATE.match(/@[A-Z]+@/g)?.sort().filter((v, i, a) => a.indexOf(v) === i)).toEqual(['@CONF@', '@DATA@', '@NODE@', '@PREFIX@']);
  });

  const svc = section(render(TEMPLATE), 'Service');
  const unit = section(render(TEMPLATE), 'Unit');
  const one = (k: string) => svc.get(k)?.join(' ');

  it('runs as the system user with CAP_NET_RAW and CAP_NET_ADMIN only', () => {
    expect(one('User')).toBe('waakhond');
    expect(one('Group')).toBe('waakhond');
    expect(one('AmbientCapabilities')?.split(/\s+/).sort()).toEqual(['CAP_NET_ADMIN', 'CAP_NET_RAW']);
    expect(one('CapabilityBoundingSet')?.split(/\s+/).sort()).toEqual(['CAP_NET_ADMIN', 'CAP_NET_RAW']);
    expect(one('NoNewPrivileges')).toBe('yes');
  });

  it('can write only its data directory', () => {
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ProtectHome')).toBe('yes');
    expect(one('PrivateTmp')).toBe('yes');
    expect(svc.get('ReadWritePaths')).toEqual(['/var/lib/waakhond']);
  });

  it('has memory and restart limits', () => {
    expect(one('MemoryMax')).toMatch(/^\d+M$/);
    expect(one('Restart')).toBe('on-failure');
    expect(Number(unit.get('StartLimitBurst')?.[0])).toBeGreaterThan(0);
    expect(unit.get('StartLimitIntervalSec')?.[0]).toBeTruthy();
    // V8 needs W+X pages: MemoryDenyWriteExecute would kill node at start.
    expect(svc.has('MemoryDenyWriteExecute')).toBe(false);
  });

  it('starts the daemon with the issue-5 flags and the data dir', () => {
    const exec = one('ExecStart') ?? '';
    expect(exec.startsWith(`${process.execPath} `)).toBe(true);
    expect(exec).toContain('/opt/waakhond/dist/waakhond.mjs run --iface ${WAAKHOND_IFACE} --port ${WAAKHOND_PORT} --data /var/lib/waakhond --config /etc/waakhond/config.json');
  });
});
