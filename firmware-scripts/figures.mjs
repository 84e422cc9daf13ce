#!/usr/bin/env node
// Measures the deployment figures of issue 6 on this machine: bundle and package sizes, installed
// size, time from install to a dashboard that answers, and the RSS of the installed daemon on the demo.
//
//   node firmware-scripts/figures.mjs [--seconds 60] [--port 18477] [--no-oci]
//
// Install is the Pi installer into a temporary root (no systemd here), then the installed daemon is
// started on the bundled demo (replayed in real time, loopback only) the way the unit starts it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const opt = (n, d) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : d; };
const SECONDS = Number(opt('--seconds', '60'));
const PORT = Number(opt('--port', '18477'));

const sh = (cmd, args, o = {}) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT, ...o });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
const duBytes = (p) => Number(sh('du', ['-sb', p]).split('\t')[0]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const fig = {};
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'wk-figures-'));
  try {
    sh(process.execPath, ['firmware-scripts/bundle.mjs', '--quiet']);
    const s = JSON.parse(readFileSync(path.join(ROOT, 'dist/bundle/summary.json'), 'utf8'));
    fig.bundle_js = kib(s.js_bytes);
    fig.bundle_total = kib(s.total_bytes);
    fig.bundle_tar_gz = kib(s.tarball_bytes);
    fig.bundle_missing = s.missing;

    const ipkOut = sh('bash', ['firmware-scripts/openwrt/build-ipk.sh']);
    const ipk = /build-ipk: (\S+)/.exec(ipkOut)[1];
    fig.ipk = kib(statSync(ipk).size);

    // Install into a temporary root, then start the installed daemon as the unit would.
    const root = path.join(tmp, 'root');
    mkdirSync(path.join(root, 'etc'), { recursive: true });
    writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\n');
    const t0 = Date.now();
    sh('bash', ['firmware-scripts/pi/install.sh', '--root', root, '--node', process.execPath, '--yes', '--iface', 'lo']);
    const tInstalled = Date.now();
    fig.installed_size = mib(duBytes(path.join(root, 'opt/waakhond')));
    const data = path.join(root, 'var/lib/waakhond');
    const p = spawn(process.execPath, ['--max-old-space-size=96', '--max-semi-space-size=1', path.join(root, 'opt/waakhond/dist/waakhond.mjs'), 'run',
      '--port', String(PORT), '--host', '127.0.0.1', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WAAKHOND_PASSWORD: 'figures-only-password' } });
    let log = '';
    p.stdout.on('data', (b) => { log += b; });
    p.stderr.on('data', (b) => { log += b; });
    let up = false;
    while (!up && Date.now() - t0 < 30_000) {
      try { up = (await fetch(`http://127.0.0.1:${PORT}/api/health`)).ok; } catch { await sleep(50); }
    }
    const tUp = Date.now();
    const page = up ? (await fetch(`http://127.0.0.1:${PORT}/`)).status : null;
    fig.install_s = ((tInstalled - t0) / 1000).toFixed(2);
    fig.install_to_dashboard_s = up ? ((tUp - t0) / 1000).toFixed(2) : 'no answer in 30 s';
    fig.dashboard_page_status = page;
    await sleep(SECONDS * 1000);
    const status = readFileSync(`/proc/${p.pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    fig.demo_seconds = SECONDS;
    fig.rss = mib(kb('VmRSS'));
    fig.rss_peak = mib(kb('VmHWM'));
    p.kill('SIGTERM');
    await new Promise((r) => p.on('close', r));
    fig.clean_exit_log = log.split('\n').filter((l) => /stopping|flush/i.test(l)).slice(-1)[0] ?? null;

    if (!argv.includes('--no-oci')) {
      sh(process.execPath, ['firmware-scripts/oci/build-oci.mjs']);
      const o = JSON.parse(readFileSync(path.join(ROOT, 'dist/oci/summary.json'), 'utf8'));
      fig.oci_layer = mib(o.layer_bytes);
      fig.oci_layer_gz = mib(o.layer_gz_bytes);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(JSON.stringify(fig, null, 2));
}

main().catch((e) => { console.error(e.message); process.exit(1); });
