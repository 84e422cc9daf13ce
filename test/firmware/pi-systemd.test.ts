// The Raspberry Pi path for real: a Debian 12 rootfs booted with systemd (systemd-nspawn, ephemeral),
// the bundle installed by pi/install.sh through systemctl, the hardened unit checked from inside
// (user, capabilities, seccomp, no new privileges), live capture on the container's veth, restart.
// The rootfs (~250 MB) is made once with debootstrap from Debian's mirror and kept in the project's test
// cache (test/.cache/nspawn/bookworm, git-ignored; WAAKHOND_TEST_CACHE or WAAKHOND_NSPAWN_ROOTFS move it).
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IS_ROOT, buildRealBundle, cleanTmp, describeNeeds, have, run, tmpDir, udpBurst } from './helpers.js';
import { TEST_CACHE } from '../helpers/shared.js';

const BASE = process.env.WAAKHOND_NSPAWN_ROOTFS ?? path.join(TEST_CACHE, 'nspawn', 'bookworm');
const MACHINE = `wk${process.pid % 100000}`;
const HOST_IP = '10.213.8.1';
const CT_IP = '10.213.8.2';
const TOKEN = 'nspawn-test-token-0123456789';

const needs = !IS_ROOT ? 'root'
  : !have('systemd-nspawn') || !have('debootstrap') ? 'systemd-nspawn and debootstrap (apt-get install systemd-container debootstrap)' : null;

/** Runs inside the container as a oneshot unit after boot; writes what it sees to /wk-out. */
const INSIDE = `#!/bin/bash
exec > /wk-out/log 2>&1
ip addr add ${CT_IP}/30 dev host0 && ip link set host0 up
mkdir -p /root/b && tar xzf /wk-in/bundle.tar.gz -C /root/b
mkdir -p /etc/waakhond && echo '{"metrics":{"token":"${TOKEN}"}}' > /etc/waakhond/config.json
t0=$(date +%s%N)
bash /root/b/waakhond/firmware-scripts/pi/install.sh --yes --iface host0 > /wk-out/install.log 2>&1
echo "rc=$? ms=$(( ($(date +%s%N) - t0) / 1000000 ))" > /wk-out/install.rc
pid=$(systemctl show waakhond -p MainPID --value)
grep -E '^(Uid|CapEff|CapAmb|CapBnd|NoNewPrivs|Seccomp):' /proc/$pid/status > /wk-out/status
systemctl show waakhond -p ActiveState -p User > /wk-out/unit
touch /wk-out/ready
metric() { node -e "fetch('http://${CT_IP}:8080/metrics',{headers:{authorization:'Bearer ${TOKEN}'}}).then(r=>r.text()).then(t=>console.log((/^waakhond_packets_total (\\\\d+)/m.exec(t)||[])[1]||0)).catch(()=>console.log(0))"; }
for i in $(seq 1 80); do n=$(metric); [ "$n" -ge 20 ] && break; sleep 0.25; done
echo "$n" > /wk-out/packets
grep VmRSS /proc/$pid/status > /wk-out/rss
systemctl restart waakhond && sleep 2
systemctl show waakhond -p ActiveState > /wk-out/after-restart
journalctl -u waakhond --no-pager | grep -v password > /wk-out/journal
touch /wk-out/done
systemctl poweroff
`;

const RUNNER_UNIT = `[Unit]
Description=waakhond test runner (runs /wk-in/inside.sh when bound in)
After=network.target systemd-journald.service
ConditionPathExists=/wk-in/inside.sh
[Service]
Type=oneshot
ExecStart=/bin/bash /wk-in/inside.sh
[Install]
WantedBy=multi-user.target
`;

function ensureRootfs(): void {
  if (existsSync(path.join(BASE, 'etc', 'wk-ready'))) return;
  rmSync(BASE, { recursive: true, force: true });
  mkdirSync(path.dirname(BASE), { recursive: true });
  console.warn(`\n*** pi-systemd: downloading Debian bookworm minbase + systemd (~250 MB) from deb.debian.org with debootstrap into ${BASE} (once; later runs reuse it) ***\n`);
  const r = run('debootstrap', ['--variant=minbase', '--include=systemd,systemd-sysv,dbus,iproute2,tcpdump,util-linux,libstdc++6',
    'bookworm', BASE, 'http://deb.debian.org/debian'], { timeout: 900_000 });
  if (r.status !== 0) throw new Error(`debootstrap failed: ${r.stderr.slice(-2000)}`);
  writeFileSync(path.join(BASE, 'etc/systemd/system/wk-runner.service'), RUNNER_UNIT);
  mkdirSync(path.join(BASE, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
  run('ln', ['-sf', '/etc/systemd/system/wk-runner.service', path.join(BASE, 'etc/systemd/system/multi-user.target.wants/wk-runner.service')]);
  writeFileSync(path.join(BASE, 'etc', 'wk-ready'), 'debootstrap bookworm minbase + systemd\n');
}

describeNeeds('Pi installer + systemd unit in a booted Debian (systemd-nspawn)', needs, () => {
  let out = '';
  let nspawnLog = '';
  let exitCode: number | null = null;
  beforeAll(async () => {
    ensureRootfs();
    const b = buildRealBundle(tmpDir('nb'));
    if (!b.bundle) throw new Error(`bundle build failed:\n${b.log}`);
    const inDir = tmpDir('nin');
    out = tmpDir('nout');
    chmodSync(out, 0o777);
    copyFileSync(path.join(path.dirname(b.bundle), 'waakhond-0.1.0.tar.gz'), path.join(inDir, 'bundle.tar.gz'));
    writeFileSync(path.join(inDir, 'inside.sh'), INSIDE);
    const p = spawn('systemd-nspawn', ['-D', BASE, '--ephemeral', '-b', '--network-veth', '-M', MACHINE, '--register=no', '--keep-unit', '-q',
      `--bind-ro=${inDir}:/wk-in`, `--bind=${out}:/wk-out`, `--bind-ro=${process.execPath}:/usr/bin/node`], { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.on('data', (x) => { nspawnLog += x; });
    p.stderr.on('data', (x) => { nspawnLog += x; });
    const exited = new Promise<number | null>((resolve) => p.on('close', resolve));
    const hostIf = `ve-${MACHINE}`;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (let i = 0; i < 80 && run('ip', ['link', 'show', hostIf]).status !== 0; i++) await sleep(250);
    run('ip', ['addr', 'add', `${HOST_IP}/30`, 'dev', hostIf]);
    run('ip', ['link', 'set', hostIf, 'up']);
    for (let i = 0; i < 240 && !existsSync(path.join(out, 'ready')); i++) await sleep(250);
    // Traffic only on the veth this test's container owns.
    if (existsSync(path.join(out, 'ready'))) run(process.execPath, ['-e', udpBurst(CT_IP, 30)]);
    const code = await Promise.race([exited, sleep(120_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') { p.kill('SIGKILL'); await exited; }
    exitCode = code === 'timeout' ? null : code;
  }, 1_200_000);
  afterAll(cleanTmp);

  const read = (f: string) => (existsSync(path.join(out, f)) ? readFileSync(path.join(out, f), 'utf8') : `(no ${f})\n${nspawnLog.slice(-3000)}`);

  it('boots, runs the test and powers off', () => {
    expect(existsSync(path.join(out, 'done')), read('log') + nspawnLog.slice(-3000)).toBe(true);
    expect(exitCode).toBe(0);
  });

  it('installs through systemctl and prints the dashboard URL and the initial password', () => {
    expect(read('install.rc')).toMatch(/^rc=0 /);
    const log = read('install.log');
    expect(log).toContain('created system user waakhond');
    expect(log).toMatch(new RegExp(`dashboard is up after \\d+ s: http://${CT_IP.replaceAll('.', '\\.')}:8080/`));
    expect(log).toMatch(/initial password: \S+/);
  });

  it('runs as the system user with CAP_NET_RAW+CAP_NET_ADMIN only, seccomp on, no new privileges', () => {
    const s = read('status');
    const uid = /^Uid:\s+(\d+)/m.exec(s)?.[1];
    expect(Number(uid)).toBeGreaterThan(0);
    expect(Number(uid)).toBeLessThan(1000);
    // CAP_NET_ADMIN = 12, CAP_NET_RAW = 13 (linux/capability.h): 0x3000.
    expect(s).toMatch(/^CapEff:\s+0000000000003000$/m);
    expect(s).toMatch(/^CapAmb:\s+0000000000003000$/m);
    expect(s).toMatch(/^CapBnd:\s+0000000000003000$/m);
    expect(s).toMatch(/^NoNewPrivs:\s+1$/m);
    expect(s).toMatch(/^Seccomp:\s+2$/m);
    expect(read('unit')).toContain('User=waakhond');
  });

  it('captures live on the LAN interface inside the sandbox', () => {
    expect(Number(read('packets'))).toBeGreaterThanOrEqual(20);
    expect(read('journal')).toContain('capture: live on host0');
  });

  it('restarts cleanly, keeping its store', () => {
    expect(read('after-restart')).toContain('ActiveState=active');
    expect(read('journal')).toContain('SIGTERM: flushing the store and stopping');
    expect(read('journal')).toMatch(/store: \/var\/lib\/waakhond\/waakhond\.json \([1-9]\d* devices/);
  });
});
