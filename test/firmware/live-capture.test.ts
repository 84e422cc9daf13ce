// The installed daemon (Pi installer, temporary root) started as an unprivileged user with only
// CAP_NET_RAW (setpriv) captures on a veth in a test namespace; without it, it fails and says why.
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FW, HAVE_LIVE, IS_ROOT, buildRealBundle, cleanTmp, describeNeeds, have, makeNetns, run, tmpDir, udpBurst } from './helpers.js';

const NOBODY = 65534;
const needs = !HAVE_LIVE ? 'live capture (sensor/capture/live.ts)'
  : !IS_ROOT ? 'root (namespaces, setpriv)'
  : !have('setpriv') || !have('tcpdump') ? 'setpriv and tcpdump (apt-get install util-linux tcpdump)' : null;

describeNeeds('installed daemon, unprivileged with CAP_NET_RAW only', needs, () => {
  let root = '';
  let net: ReturnType<typeof makeNetns>;
  const token = 'firmware-live-test-token-01234';
  beforeAll(() => {
    const b = buildRealBundle(tmpDir('lb'));
    if (!b.bundle) throw new Error(`bundle build failed:\n${b.log}`);
    root = tmpDir('liveroot');
    mkdirSync(path.join(root, 'etc'));
    writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    writeFileSync(path.join(root, 'etc', 'group'), 'root:x:0:\n');
    const r = run('bash', [path.join(FW, 'pi', 'install.sh'), '--root', root, '--bundle', b.bundle, '--node', process.execPath, '--yes', '--iface', 'eth0']);
    if (r.status !== 0) throw new Error(`install: ${r.stderr}`);
    chmodSync(root, 0o755); // mkdtemp made it 0700: the unprivileged user must reach /opt/waakhond
    net = makeNetns('live');
  });
  afterAll(() => { net?.destroy(); cleanTmp(); });

  /** Starts the installed daemon in the sensor namespace as nobody, with the given capabilities. */
  function daemon(caps: string[]) {
    const data = tmpDir('ldata');
    chmodSync(data, 0o700);
    chownSync(data, NOBODY, NOBODY);
    const cfg = path.join(tmpDir('lcfg'), 'config.json');
    writeFileSync(cfg, JSON.stringify({ metrics: { token } }));
    chmodSync(path.dirname(cfg), 0o755);
    chmodSync(cfg, 0o644);
    const capArgs = caps.length
      ? [`--inh-caps=-all,${caps.map((c) => `+${c}`).join(',')}`, `--ambient-caps=${caps.map((c) => `+${c}`).join(',')}`, `--bounding-set=-all,${caps.map((c) => `+${c}`).join(',')}`]
      : ['--inh-caps=-all', '--bounding-set=-all'];
    const p = spawn('ip', ['netns', 'exec', net.sensor, 'setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...capArgs, '--',
      process.execPath, path.join(root, 'opt', 'waakhond', 'dist', 'waakhond.mjs'), 'run', '--iface', net.ifSensor,
      '--port', '8080', '--host', '127.0.0.1', '--data', data, '--config', cfg], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, WAAKHOND_PASSWORD: 'firmware-test-password' },
    });
    let log = '';
    p.stdout.on('data', (x) => { log += x; });
    p.stderr.on('data', (x) => { log += x; });
    const exited = new Promise<number | null>((resolve) => p.on('close', resolve));
    return { p, exited, log: () => log };
  }

  const get = (url: string) => run('ip', ['netns', 'exec', net.sensor, process.execPath, '-e',
    `fetch('${url}',{headers:{authorization:'Bearer ${token}'}}).then(async r=>console.log(r.status+'\\n'+await r.text())).catch(()=>process.exit(1))`]).stdout;
  const packets = () => Number(/^waakhond_packets_total (\d+)/m.exec(get('http://127.0.0.1:8080/metrics'))?.[1] ?? NaN);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('captures live traffic on the veth and counts it', async () => {
    const d = daemon(['net_raw']);
    try {
      let up = false;
      for (let i = 0; i < 80 && !up; i++) { up = !Number.isNaN(packets()); if (!up) await sleep(250); }
      expect(up, d.log()).toBe(true);
      expect(get('http://127.0.0.1:8080/api/health')).toContain('"capture":"running"');
      run('ip', ['netns', 'exec', net.peer, process.execPath, '-e', udpBurst(net.ipSensor, 20)]);
      let n = 0;
      for (let i = 0; i < 40 && n < 20; i++) { n = packets(); if (!(n >= 20)) await sleep(250); }
      expect(n, d.log()).toBeGreaterThanOrEqual(20);
    } finally {
      d.p.kill('SIGTERM');
      await Promise.race([d.exited, sleep(10_000)]);
    }
  });

  it('without CAP_NET_RAW the capture fails with a message naming the capability', async () => {
    const d = daemon([]);
    try {
      let failed = false;
      for (let i = 0; i < 80 && !failed; i++) {
        const code = await Promise.race([d.exited, sleep(250).then(() => 'running' as const)]);
        failed = code !== 'running' || /"capture":"failed"/.test(get('http://127.0.0.1:8080/api/health'));
      }
      expect(failed, d.log()).toBe(true);
      expect(d.log()).toMatch(/CAP_NET_RAW/);
    } finally {
      d.p.kill('SIGTERM');
      await Promise.race([d.exited, sleep(10_000)]);
    }
  });
});
