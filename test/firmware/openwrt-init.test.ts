// The procd init script with a stub procd (what instance it asks for, when it refuses), and the
// runner that keeps data in RAM with debounced copies to flash.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, FW, OPENWRT_FILES, ash, cleanTmp, run, stubBundle, tmpDir } from './helpers.js';

const SHIM = path.join(FIXTURES, 'openwrt', 'functions.sh');
const STUB = path.join(FIXTURES, 'openwrt', 'procd-stub.sh');

interface InitRun { status: number | null; stderr: string; calls: string[]; json: string | null; jsonMode: string | null }

describe('procd init (stub procd)', () => {
  let root = '';
  beforeAll(() => {
    root = tmpDir('owrt');
    const r = run('sh', [path.join(FW, 'openwrt', 'waakhond', 'stage.sh'), root, stubBundle(tmpDir('b'))]);
    expect(r.stderr).toBe('');
  });
  afterAll(cleanTmp);

  function start(uci: string, extraEnv: Record<string, string> = {}): InitRun {
    const dir = tmpDir('init');
    const confDir = path.join(dir, 'config');
    mkdirSync(confDir);
    writeFileSync(path.join(confDir, 'waakhond'), uci.replaceAll('@TMP@', dir));
    const log = path.join(dir, 'procd.log');
    writeFileSync(log, '');
    const json = path.join(dir, 'var', 'etc', 'waakhond.json');
    const script = `. "${SHIM}"; . "${STUB}"; . "${root}/etc/init.d/waakhond"; start_service; rc=$?; service_triggers; exit $rc`;
    const [sh, ...pre] = ash();
    const r = run(sh, [...pre, '-c', script], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin', UCI_CONFIG_DIR: confDir, WAAKHOND_FUNCTIONS: SHIM, PROCD_LOG: log,
        WAAKHOND_LIBEXEC: `${root}/usr/libexec/waakhond`, WAAKHOND_CONFIG_JSON: json, WAAKHOND_HOSTNAME: 'r1',
        WAAKHOND_UJAIL: '/nonexistent/ujail', ...extraEnv,
      },
    });
    return {
      status: r.status, stderr: r.stderr,
      calls: readFileSync(log, 'utf8').split('\n').filter(Boolean),
      json: existsSync(json) ? readFileSync(json, 'utf8') : null,
      jsonMode: existsSync(json) ? (statSync(json).mode & 0o777).toString(8) : null,
    };
  }

  const BASE = `config waakhond 'main'\n\toption enabled '1'\n\toption interface 'br-lan'\n\toption port '8081'\n\toption data_dir '@TMP@/ram'\n\toption persist_dir '@TMP@/flash'\n\toption persist_interval '900'\n`;

  it('asks procd for one respawning instance: runner -> node daemon with the UCI settings', () => {
    const r = start(BASE);
    expect(r.status).toBe(0);
    expect(r.calls[0]).toBe('open_instance ');
    const cmd = r.calls.filter((c) => c.startsWith('set command') || c.startsWith('append command')).join(' ');
    const lib = `${root}/usr/libexec/waakhond`;
    expect(cmd).toContain(`set command [${lib}/run][--data][`);
    expect(cmd).toMatch(/\[--persist\]\[[^\]]+\/flash\]\[--interval\]\[900\]/);
    expect(cmd).toContain('[--][/usr/bin/node][--max-old-space-size=96][--max-semi-space-size=1][/usr/share/waakhond/dist/waakhond.mjs][run][--iface][br-lan][--port][8081]');
    expect(cmd).toMatch(/\[--config\]\[[^\]]+\/var\/etc\/waakhond\.json\]/);
    expect(r.calls).toContain('set respawn [3600][5][5]');
    expect(r.calls).toContain('set file [/etc/config/waakhond]');
    expect(r.calls).toContain('set term_timeout [20]');
    expect(r.calls).toContain('close_instance');
    expect(r.calls).toContain('reload_trigger waakhond');
  });

  it('writes the translated JSON config, private, before starting', () => {
    const r = start(BASE);
    expect(r.jsonMode).toBe('600');
    expect(JSON.parse(r.json ?? 'null')).toMatchObject({ iface: 'br-lan', port: 8081 });
  });

  it('runs as root when procd cannot grant capabilities (no ujail)', () => {
    const r = start(BASE);
    expect(r.calls.some((c) => c.startsWith('set user'))).toBe(false);
  });

  it('runs as the service user with only the capture capabilities when ujail is there', () => {
    const dir = tmpDir('ujail');
    const ujail = path.join(dir, 'ujail');
    writeFileSync(ujail, '#!/bin/sh\n');
    chmodSync(ujail, 0o755);
    const passwd = path.join(dir, 'passwd');
    // "daemon" exists on Debian with a group of the same name, as waakhond does on OpenWrt.
    writeFileSync(passwd, 'root:x:0:0::/root:/bin/ash\ndaemon:x:1:1::/:/bin/false\n');
    const r = start(BASE.replace("option interface 'br-lan'", "option interface 'br-lan'\n\toption user 'daemon'"), {
      WAAKHOND_UJAIL: ujail, WAAKHOND_PASSWD: passwd, WAAKHOND_CAPS: `${root}/etc/capabilities/waakhond.json`,
    });
    expect(r.stderr).toBe('');
    expect(r.calls).toContain('set user [daemon]');
    expect(r.calls).toContain(`set capabilities [${root}/etc/capabilities/waakhond.json]`);
    expect(r.calls).toContain('set no_new_privs [1]');
    const caps = JSON.parse(readFileSync(`${root}/etc/capabilities/waakhond.json`, 'utf8'));
    expect(caps.ambient.sort()).toEqual(['CAP_NET_ADMIN', 'CAP_NET_RAW']);
    expect(caps.bounding.sort()).toEqual(['CAP_NET_ADMIN', 'CAP_NET_RAW']);
  });

  it('starts nothing when disabled, and says how to enable', () => {
    const r = start(BASE.replace("option enabled '1'", "option enabled '0'"));
    expect(r.status).toBe(0);
    expect(r.calls.filter((c) => c.startsWith('open_instance'))).toEqual([]);
    expect(r.stderr).toContain('uci set waakhond.main.enabled=1');
  });

  it('refuses a bad configuration: logs, no instance, no config file', () => {
    const r = start(BASE.replace("option port '8081'", "option port 'http'"));
    expect(r.status).toBe(1);
    expect(r.calls.filter((c) => c.startsWith('open_instance'))).toEqual([]);
    expect(r.calls.some((c) => c.startsWith('logger') && c.includes('not started'))).toBe(true);
    expect(r.stderr).toContain('waakhond.main.port');
    expect(r.json).toBeNull();
  });
});

// ------------------------------------------------------------------------------------------------

/** A fake daemon: writes DATA/store.json, keeps writing while WRITE=1, writes "final" on SIGTERM. */
const FAKE_DAEMON = `
data=$1
[ -f "$data/store.json" ] && echo "restored:$(cat "$data/store.json")"
echo started > "$data/store.json"
trap 'echo final > "$data/store.json"; exit 0' TERM
n=0
while :; do
  if [ "$WRITE" = 1 ]; then n=$((n+1)); echo "$n" > "$data/store.json"; fi
  sleep 0.2
  [ -n "$CRASH_AFTER" ] && [ "$n" -ge "$CRASH_AFTER" ] && exit 3
done
`;

function runner(args: string[], env: Record<string, string>) {
  const [sh, ...pre] = ash();
  return spawn(sh, [...pre, path.join(OPENWRT_FILES, 'waakhond-run.sh'), ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', WAAKHOND_TICK: '0.2', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(p: ReturnType<typeof spawn>): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  p.stdout?.on('data', (b) => { out += b; });
  p.stderr?.on('data', (b) => { err += b; });
  return new Promise((resolve) => p.on('close', (code) => resolve({ code, out, err })));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls (a loaded CI machine is slow) until cond() or the time is up. */
async function until(cond: () => boolean, ms = 15_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (cond()) return true;
  return cond();
}

describe('waakhond-run (RAM data, debounced flash copies)', () => {
  afterAll(cleanTmp);

  it('copies to flash periodically, and once more after the daemon flushed on SIGTERM', async () => {
    const dir = tmpDir('run');
    const fake = path.join(dir, 'fake.sh');
    writeFileSync(fake, FAKE_DAEMON);
    const data = path.join(dir, 'ram');
    const flash = path.join(dir, 'flash');
    const p = runner(['--data', data, '--persist', flash, '--interval', '1', '--', ...ash(), fake, data], { WRITE: '1' });
    const done = exited(p);
    // A periodic copy holding one of the daemon's running writes (a counter), not just its start.
    const counter = () => existsSync(path.join(flash, 'store.json')) && Number(readFileSync(path.join(flash, 'store.json'), 'utf8')) > 0;
    expect(await until(counter)).toBe(true);
    p.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(flash, 'store.json'), 'utf8')).toBe('final\n');
    expect(existsSync(`${flash}.new`) || existsSync(`${flash}.old`)).toBe(false);
  });

  it('restores RAM from flash before the daemon starts (after a reboot)', async () => {
    const dir = tmpDir('restore');
    const fake = path.join(dir, 'fake.sh');
    writeFileSync(fake, FAKE_DAEMON);
    const flash = path.join(dir, 'flash');
    mkdirSync(flash);
    writeFileSync(path.join(flash, 'store.json'), 'from-flash');
    const data = path.join(dir, 'ram');
    const p = runner(['--data', data, '--persist', flash, '--interval', '60', '--', ...ash(), fake, data], {});
    const done = exited(p);
    expect(await until(() => existsSync(path.join(data, 'store.json')))).toBe(true);
    await sleep(300);
    p.kill('SIGTERM');
    const r = await done;
    expect(r.out).toContain('restored:from-flash');
    expect(r.err).toContain('restored data from');
  });

  it('does not write to flash when nothing changed (debounce)', async () => {
    const dir = tmpDir('quiet');
    const fake = path.join(dir, 'fake.sh');
    writeFileSync(fake, FAKE_DAEMON);
    const data = path.join(dir, 'ram');
    const flash = path.join(dir, 'flash');
    const p = runner(['--data', data, '--persist', flash, '--interval', '1', '--', ...ash(), fake, data], { WRITE: '0' });
    const done = exited(p);
    const stamp = path.join(flash, '.stamp');
    expect(await until(() => existsSync(stamp))).toBe(true);
    // Any further save would replace the copy, stamp included, with a fresh one.
    const before = statSync(stamp).mtimeMs;
    await sleep(2200);
    expect(statSync(stamp).mtimeMs).toBe(before);
    p.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(0);
    // The SIGTERM write ("final") is a change: saved once more.
    expect(readFileSync(path.join(flash, 'store.json'), 'utf8')).toBe('final\n');
  });

  it('makes the first flash copy soon after a first start (the generated password survives a reboot)', async () => {
    const dir = tmpDir('first');
    const fake = path.join(dir, 'fake.sh');
    writeFileSync(fake, FAKE_DAEMON);
    const data = path.join(dir, 'ram');
    const flash = path.join(dir, 'flash');
    const p = runner(['--data', data, '--persist', flash, '--interval', '3600', '--', ...ash(), fake, data], { WAAKHOND_FIRST_SAVE: '1' });
    const done = exited(p);
    const saved = await until(() => existsSync(path.join(flash, 'store.json')), 20_000);
    p.kill('SIGTERM');
    await done;
    expect(saved).toBe(true);
  });

  it('passes on the daemon exit code (procd respawns) after saving', async () => {
    const dir = tmpDir('crash');
    const fake = path.join(dir, 'fake.sh');
    writeFileSync(fake, FAKE_DAEMON);
    const data = path.join(dir, 'ram');
    const flash = path.join(dir, 'flash');
    const p = runner(['--data', data, '--persist', flash, '--interval', '3600', '--', ...ash(), fake, data], { WRITE: '1', CRASH_AFTER: '3' });
    const r = await exited(p);
    expect(r.code).toBe(3);
    expect(readFileSync(path.join(flash, 'store.json'), 'utf8')).toBe('3\n');
  });
});
