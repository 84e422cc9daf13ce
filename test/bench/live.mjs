// npm run bench -- --live: the zero-loss ladder. Two network namespaces joined by a veth pair (made
// and removed here); tcpreplay sends a capture from one at a fixed rate, and in the other the pcap
// addon + pipeline + inventory + rule engine (what `waakhond analyze` does) capture it, then
// `tcpdump -i` on the same link at the same rate, same ring. Prints sent / counted / dropped and the
// loss per rate for both. With --daemon, the capturing side is the daemon itself as the launchers run it
// (`waakhond run --iface`, their V8 flags, store, connection log, dashboard): what a household runs.
// Root only (namespaces); nothing leaves the namespaces.
// Usage: npm run bench -- --live [--rates 50k,100k,200k] [--seconds 2] [--buffer-size 16M] [--immediate] [--input syn|corpus|both] [--daemon]
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const num = (s) => { const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s); if (!m) throw new Error(`not a number: ${s}`); return Math.round(Number(m[1]) * { '': 1, k: 1e3, K: 1e3, m: 1 << 20, M: 1 << 20 }[m[2]]); };

if (process.getuid?.() !== 0) {
  console.error('bench --live: needs root (it creates network namespaces and a veth pair, and captures on it); run as root');
  process.exit(1);
}
for (const tool of ['tcpreplay', 'tcpdump', 'ip']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.error(`bench --live: ${tool} not found (firmware-scripts/test-deps.sh installs it)`);
    process.exit(1);
  }
}

const rates = opt('--rates', '50k,100k,150k,200k,300k,400k').split(',').map(num);
const seconds = Number(opt('--seconds', '2'));
const bufferSize = num(opt('--buffer-size', '16M')); // = DEFAULT_BUFFER_SIZE (sensor/capture/live-pcap.ts)
const immediate = argv.includes('--immediate');
const inputs = opt('--input', 'both');
const asDaemon = argv.includes('--daemon');
const { LAUNCHER_NODE_ARGS } = await import('./memory.mjs');

const tmp = path.join(root, 'test', '.tmp');
mkdirSync(tmp, { recursive: true });
const helper = path.join(tmp, 'bench-helper.mjs');
const child = path.join(tmp, 'bench-live-child.mjs');
const banner = { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" };
await build({ entryPoints: [path.join(root, 'test', 'bench', 'decode-only.ts')], outfile: helper, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', banner });
await build({ entryPoints: [path.join(root, 'test', 'bench', 'live-child.ts')], outfile: child, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', external: ['pcap'], banner });

const maxN = Math.max(...rates) * seconds;
const files = [];
if (inputs !== 'corpus') {
  const syn = path.join(tmp, `bench-live-syn-${maxN}.pcap`);
  if (!existsSync(syn)) { spawnSync(process.execPath, [helper, 'synscan', `${syn}.partial`, String(maxN)], { stdio: 'inherit' }); renameSync(`${syn}.partial`, syn); }
  files.push(['SYN flood (Mirai-style scan, 60-byte frames)', syn]);
}
if (inputs !== 'syn') {
  const pcaps = path.resolve(root, '..', 'shared', 'pcaps');
  if (!existsSync(pcaps)) console.error(`bench --live: ${pcaps} not found: corpus mix left out`);
  else {
    const corpus = path.join(tmp, 'bench-live-corpus.pcap');
    if (!existsSync(corpus)) {
      const list = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? list(path.join(d, e.name)) : /\.(pcap|pcapng|cap)$/i.test(e.name) ? [path.join(d, e.name)] : []);
      const ins = list(pcaps).sort().filter((f) => !/fuzz|crash|malformed|badpackets/i.test(f));
      const r = spawnSync(process.execPath, [helper, 'merge', `${corpus}.partial`, String(256 << 20), ...ins], { encoding: 'utf8' });
      if (r.status !== 0) { console.error(r.stderr); process.exit(1); }
      renameSync(`${corpus}.partial`, corpus);
    }
    files.push(['corpus mix (../shared/pcaps merged)', corpus]);
  }
}

const ID = String(process.pid % 100000);
const NS_A = `wkbA-${ID}`;
const NS_B = `wkbB-${ID}`;
const VA = `wkba${ID}`;
const VB = `wkbb${ID}`;
const sh = (cmd, args) => { const r = spawnSync(cmd, args, { encoding: 'utf8' }); return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` }; };
const cleanup = () => { sh('ip', ['netns', 'del', NS_A]); sh('ip', ['netns', 'del', NS_B]); };
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));
for (const [c, a] of [
  ['ip', ['netns', 'add', NS_A]], ['ip', ['netns', 'add', NS_B]],
  ['ip', ['netns', 'exec', NS_A, 'sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1', 'net.ipv6.conf.all.disable_ipv6=1']],
  ['ip', ['netns', 'exec', NS_B, 'sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1', 'net.ipv6.conf.all.disable_ipv6=1']],
  ['ip', ['link', 'add', VA, 'netns', NS_A, 'mtu', '9000', 'type', 'veth', 'peer', 'name', VB, 'netns', NS_B, 'mtu', '9000']],
  ['ip', ['-n', NS_A, 'link', 'set', VA, 'up']], ['ip', ['-n', NS_B, 'link', 'set', VB, 'up']],
]) {
  const r = sh(c, a);
  if (!r.ok) { console.error(`bench --live: ${c} ${a.join(' ')}: ${r.out}`); process.exit(1); }
}

/** tcpreplay from A: packets it sent and the rate it reached. */
function replay(file, pps, n) {
  const r = sh('ip', ['netns', 'exec', NS_A, 'tcpreplay', '-q', '-i', VA, '--pps', String(pps), '--limit', String(n), file]);
  const sent = Number(/Successful packets:\s+(\d+)/.exec(r.out)?.[1] ?? NaN);
  const rated = Number(/Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/.exec(r.out)?.[1] ?? NaN);
  if (!r.ok || Number.isNaN(sent)) throw new Error(`tcpreplay failed: ${r.out}`);
  return { sent, rated };
}

function lines(proc) {
  const rl = createInterface({ input: proc.stdout });
  return () => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('capture child said nothing in 60 s')), 60_000);
    rl.once('line', (l) => { clearTimeout(t); resolve(JSON.parse(l)); });
  });
}

async function waakhond(file, pps, n) {
  const proc = spawn('ip', ['netns', 'exec', NS_B, 'node', child, JSON.stringify({ iface: VB, bufferSize, immediate })],
    { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, WAAKHOND_HOME: root, MALLOC_MMAP_THRESHOLD_: '131072' } });
  const next = lines(proc);
  await next();
  const { sent, rated } = replay(file, pps, n);
  await new Promise((r) => setTimeout(r, 1500)); // let it catch up: what is still unread at stop counts as dropped
  const done = next();
  proc.stdin.end('stop\n');
  const d = await done;
  return { sent, rated, counted: d.counted, dropped: d.dropped, rss: Math.round(d.maxrss_kb / 1024) };
}

/**
 * The daemon as the launchers run it, capturing in B: counted and dropped from its "capture: finished
 * (N frames, D dropped)" line after SIGTERM (a live source drains what it still holds before it stops).
 */
async function daemon(file, pps, n) {
  const data = mkdtempSync(path.join(tmpdir(), 'waakhond-live-'));
  const entry = path.join(root, 'dist', 'waakhond.mjs');
  const proc = spawn('ip', ['netns', 'exec', NS_B, process.execPath, ...LAUNCHER_NODE_ARGS, entry, 'run', '--iface', VB, '--buffer-size', String(bufferSize),
    '--host', '127.0.0.1', '--port', '0', '--data', data], {
    stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, WAAKHOND_PASSWORD: 'live-bench-pw', MALLOC_MMAP_THRESHOLD_: '131072' },
  });
  let err = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => { err = (err + d).slice(-20000); });
  const until = (re, what) => new Promise((resolve, reject) => {
    const t0 = Date.now();
    const t = setInterval(() => {
      const m = re.exec(err);
      if (m) { clearInterval(t); resolve(m); } else if (Date.now() - t0 > 60_000 || proc.exitCode !== null) { clearInterval(t); reject(new Error(`daemon: no ${what}:\n${err}`)); }
    }, 20);
  });
  try {
    await until(/web: ready/, 'ready line');
    const { sent, rated } = replay(file, pps, n);
    await new Promise((r) => setTimeout(r, 1500));
    // `ip netns exec` execs node: the child's pid is the daemon's.
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? 0);
    proc.kill('SIGTERM');
    const m = await until(/capture: finished \((\d+) frames, (\d+) dropped\)/, 'capture: finished line with drops');
    await new Promise((r) => { if (proc.exitCode !== null) r(); else proc.once('exit', r); });
    return { sent, rated, counted: Number(m[1]), dropped: Number(m[2]), rss: Math.round(hwm / 1024) };
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  }
}

async function tcpdump(file, pps, n) {
  const proc = spawn('ip', ['netns', 'exec', NS_B, 'tcpdump', '-n', '-i', VB, '-B', String(Math.round(bufferSize / 1024)), '-w', '/dev/null', ...(immediate ? ['--immediate-mode'] : [])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  await new Promise((resolve) => { const t = setInterval(() => { if (/listening on/.test(err)) { clearInterval(t); resolve(); } }, 20); });
  const { sent, rated } = replay(file, pps, n);
  await new Promise((r) => setTimeout(r, 1500));
  proc.kill('SIGINT');
  await new Promise((r) => proc.once('exit', r));
  const captured = Number(/(\d+) packets? captured/.exec(err)?.[1] ?? NaN);
  const dropped = Number(/(\d+) packets? dropped by kernel/.exec(err)?.[1] ?? 0) + Number(/(\d+) packets? dropped by interface/.exec(err)?.[1] ?? 0);
  return { sent, rated, counted: captured, dropped };
}

const pct = (r) => `${(100 * (r.sent - r.counted) / r.sent).toFixed(2)}%`;
if (asDaemon && !existsSync(path.join(root, 'dist', 'waakhond.mjs'))) { console.error('bench --live --daemon: dist/waakhond.mjs missing (npm run build)'); process.exit(1); }
if (asDaemon && immediate) { console.error('bench --live --daemon: --immediate is a config setting of the daemon (capture.immediate), not measured here'); process.exit(1); }
console.log(`${asDaemon ? `capturing: the daemon (waakhond run --iface, ${LAUNCHER_NODE_ARGS.join(' ')})` : 'capturing: pipeline + inventory + rules (as analyze)'}; ring ${bufferSize >> 20} MiB, ${immediate ? 'immediate' : 'batch (100 ms timeout)'} mode, ${seconds} s per rate; load average ${spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ').slice(0, 3).join(' ')}`);
for (const [label, file] of files) {
  console.log(`\n${label}: ${file}`);
  console.log(`${'rate'.padEnd(8)} ${'waakhond: sent counted dropped loss unaccounted'.padEnd(56)} tcpdump -i: sent captured dropped loss`);
  for (const pps of rates) {
    const n = pps * seconds;
    const w = asDaemon ? await daemon(file, pps, n) : await waakhond(file, pps, n);
    const t = await tcpdump(file, pps, n);
    const un = w.sent - w.counted - w.dropped;
    console.log(`${String(pps / 1000 + 'k').padEnd(8)} ${`${w.sent} ${w.counted} ${w.dropped} ${pct(w)} ${un} (tcpreplay ${Math.round(w.rated / 1000)}k/s, rss ${w.rss} MB)`.padEnd(56)} ${t.sent} ${t.counted} ${t.dropped} ${pct(t)} (tcpreplay ${Math.round(t.rated / 1000)}k/s)`);
  }
}
if (!argv.includes('--keep')) for (const f of readdirSync(tmp)) if (f.startsWith('bench-live-')) rmSync(path.join(tmp, f), { force: true });
