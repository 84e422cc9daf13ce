// Load run against the daemon as a household's dashboards would load it: the demo home looping, 32
// live-update (SSE) streams open, N API requests at C concurrent (device list, device pages, alerts,
// /metrics), and /api/health probed every 100 ms throughout. Prints p50/p99/max per route and the daemon's
// event-loop delay over the run (from its /metrics: how late it ran due work, capture included).
// Requests say Accept-Encoding as a browser does (gzip, deflate, br); --identity asks for plain bodies.
// `npm run bench -- --load [--requests 2000] [--concurrency 50] [--sse 32] [--warmup 3000] [--identity]`;
// test/reliability/load.test.ts runs a smaller one and asserts only that nothing fails and health answers.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const PASSWORD = 'load-run-password';

/**
 * A big home in the store before the start: `devices` devices and `alerts` alerts (the store's default
 * cap is 2000, which a long-looping demo reaches), spread over the devices, with real advice ids.
 * The demo capture then runs on top of it. Without it the demo home is 7 devices and a few alerts.
 */
export function seedStore(dataDir, devices = 300, alerts = 2000) {
  const T0 = Date.now() * 1000 - 3600e6;
  const kinds = ['camera', 'smart-plug', 'phone', 'computer', 'tv', 'speaker', 'printer', 'other'];
  const advice = ['infected-reset', 'change-password', 'disable-telnet', 'disable-upnp', 'close-port-forward', 'check-device', 'new-device'];
  const sev = ['low', 'medium', 'high', 'critical'];
  const store = { version: 1, devices: {}, alerts: {}, advice: {}, names: {}, answers: {}, aliases: {}, settings: { password_hash: null } };
  const macs = [];
  for (let i = 0; i < devices; i++) {
    const mac = `02:5e:ed:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    macs.push(mac);
    store.devices[mac] = {
      mac, ips: [`10.77.${i >> 8}.${i & 255}`], ipv6: [], vendor: i % 3 ? 'Acme' : null, model: null, category: kinds[i % kinds.length],
      name: null, hostname: `host-${i}`, confidence: 0.6, evidence: [{ source: 'dhcp', detail: `hostname host-${i}`, weight: 0.3 }],
      first_seen: T0, last_seen: T0 + i * 1e6, private_mac: false, traffic: [],
    };
  }
  for (let j = 0; j < alerts; j++) {
    const mac = macs[j % macs.length];
    const id = `seed.rule-${j % 40}|${mac}|${j}`;
    store.alerts[id] = {
      id, rule: `seed.rule-${j % 40}`, title: 'Seeded alert', severity: sev[j % sev.length], device: mac, first_seen: T0 + j * 1e3,
      last_seen: T0 + j * 1e3 + 5e6, count: 1 + (j % 7), summary: 'seeded for the load run', advice: advice[j % advice.length],
      group: { device: mac }, evidence: [{ detail: 'seeded', ts: T0 + j * 1e3 }], stored_at: Date.now(),
    };
  }
  writeFileSync(path.join(dataDir, 'waakhond.json'), JSON.stringify(store));
}

/**
 * CPU time (user + system, ms) a process has used, from /proc (Linux; NaN elsewhere). Unlike latency it
 * does not grow when other work on the machine takes the CPU away: the figure to compare on a shared machine.
 */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}

/** Percentile of sorted numbers (nearest rank). */
export function pct(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summary(list) {
  const s = [...list].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p99: pct(s, 99), max: s.length ? s[s.length - 1] : NaN };
}

/** One request on a fresh keep-alive agent; resolves { status, ms } (status 0 on a network error or timeout). */
function get(agent, url, headers, timeoutMs) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.get(url, { agent, headers, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
      res.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
    });
    req.on('timeout', () => { req.destroy(); resolve({ status: 0, ms: performance.now() - t0 }); });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
  });
}

function waitForLine(child, re, ms) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error(`daemon said nothing matching ${re} in ${ms / 1000} s:\n${buf}`)), ms);
    child.stderr.on('data', (d) => {
      buf += d;
      const m = re.exec(buf);
      if (m) { clearTimeout(t); resolve(m); }
    });
    child.once('exit', (code) => { clearTimeout(t); reject(new Error(`daemon exited (${code}):\n${buf}`)); });
  });
}

/**
 * Starts `node ENTRY run-args...` on the looping demo, loads it, stops it with SIGTERM.
 * entry: a script that takes `run`'s arguments (dist/waakhond.mjs needs 'run' first: pass it in args).
 */
export async function runLoad({ entry, args = ['run'], nodeArgs = [], env = {}, requests = 2000, concurrency = 50, sse = 32, warmupMs = 3000, gzip = true, seed = { devices: 300, alerts: 2000 }, log = () => {} }) {
  const data = mkdtempSync(path.join(tmpdir(), 'waakhond-load-'));
  // With no source the daemon runs the demo, which keeps its store in DATA/demo (a real run never inherits it).
  const demo = !args.some((a) => a === '--pcap' || a === '--iface' || a === '--stdin');
  if (seed) { const at = demo ? path.join(data, 'demo') : data; mkdirSync(at, { recursive: true }); seedStore(at, seed.devices, seed.alerts); }
  const child = spawn(process.execPath, [...nodeArgs, entry, ...args, '--host', '127.0.0.1', '--port', '0', '--data', data], {
    env: { ...process.env, WAAKHOND_PASSWORD: PASSWORD, MALLOC_MMAP_THRESHOLD_: '131072', ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.setEncoding('utf8');
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-20000); });
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency + 4 });
  const sseReqs = [];
  try {
    const [, base] = await waitForLine(child, /dashboard at (http:\/\/127\.0\.0\.1:\d+)\//, 30_000);
    // Log in once; every request carries the session.
    const cookie = await new Promise((resolve, reject) => {
      const body = JSON.stringify({ password: PASSWORD });
      const req = http.request(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        if (res.statusCode !== 200) reject(new Error(`login: ${res.statusCode}`));
        else resolve(String(res.headers['set-cookie']?.[0] ?? '').split(';')[0]);
      });
      req.on('error', reject);
      req.end(body);
    });
    // What a browser's fetch() sends; the daemon answers the big lists gzipped then (body-cache.ts).
    const headers = gzip ? { cookie, 'accept-encoding': 'gzip, deflate, br' } : { cookie };
    // Let the demo make devices and alerts before the load starts.
    await new Promise((r) => setTimeout(r, warmupMs));
    let sseEvents = 0;
    let sseErrors = 0;
    for (let i = 0; i < sse; i++) {
      const req = http.get(`${base}/api/events`, { headers }, (res) => {
        if (res.statusCode !== 200) sseErrors++;
        res.on('data', () => { sseEvents++; });
        res.on('error', () => {});
      });
      req.on('error', () => {});
      sseReqs.push(req);
    }
    const devs = await get(agent, `${base}/api/devices`, headers, 60_000);
    const macs = [];
    if (devs.status === 200) {
      // A second request for the body (get() discards it): the device pages to visit.
      const body = await new Promise((resolve) => http.get(`${base}/api/devices`, { headers: { cookie } }, (res) => {
        let s = ''; res.setEncoding('utf8'); res.on('data', (d) => { s += d; }); res.on('end', () => resolve(s));
      }));
      for (const d of JSON.parse(body).devices) macs.push(d.mac);
    }
    // Health every 100 ms, on its own connection, throughout the run.
    const health = [];
    let healthFail = 0;
    let probing = true;
    const probe = (async () => {
      const hAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      while (probing) {
        const r = await get(hAgent, `${base}/api/health`, {}, 10_000);
        if (r.status !== 200) healthFail++;
        health.push(r.ms);
        await new Promise((res) => setTimeout(res, 100));
      }
      hAgent.destroy();
    })();
    const routes = [
      ['devices', () => '/api/devices'],
      ['devices', () => '/api/devices?lang=nl'],
      ['device', (i) => `/api/devices/${macs[i % Math.max(1, macs.length)] ?? '00:00:00:00:00:00'}`],
      ['alerts', () => '/api/alerts'],
      ['metrics', () => '/metrics'],
    ];
    const times = { all: [] };
    const failures = [];
    /** The slowest requests: [ms, started at ms into the run, path]. */
    const slowest = [];
    let next = 0;
    // The bench's own event loop: when it stalls (a machine shared with other work), every request in
    // flight looks that much slower, though the daemon answered in time. Printed beside the figures.
    const clientLoop = monitorEventLoopDelay({ resolution: 10 });
    clientLoop.enable();
    const cpu0 = cpuMs(child.pid);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++;
        const [name, url] = routes[i % routes.length];
        const started = performance.now() - t0;
        const r = await get(agent, `${base}${url(i)}`, headers, 60_000);
        slowest.push([r.ms, started, url(i)]);
        if (slowest.length > 20) { slowest.sort((a, b) => b[0] - a[0]); slowest.length = 10; }
        (times[name] ??= []).push(r.ms);
        times.all.push(r.ms);
        if (r.status !== 200) failures.push(`${url(i)}: ${r.status}`);
      }
    }));
    const wallMs = performance.now() - t0;
    const daemonCpuMs = cpuMs(child.pid) - cpu0;
    clientLoop.disable();
    probing = false;
    await probe;
    // The daemon's event-loop delay from its start to now (loop-delay.ts, in /metrics).
    const metrics = await new Promise((resolve) => http.get(`${base}/metrics`, { headers: { cookie } }, (res) => {
      let s = ''; res.setEncoding('utf8'); res.on('data', (d) => { s += d; }); res.on('end', () => resolve(s));
    }).on('error', () => resolve('')));
    const loopStat = (stat) => {
      const m = new RegExp(`^waakhond_event_loop_delay_seconds\\{stat="${stat}"\\} (\\S+)$`, 'm').exec(metrics);
      return m ? Number(m[1]) * 1000 : NaN;
    };
    const eventLoop = { p50: loopStat('p50'), p99: loopStat('p99'), max: loopStat('max') };
    const rss = /^waakhond_process_resident_memory_bytes (\S+)$/m.exec(metrics);
    const out = {
      requests, concurrency, sse, wall_s: wallMs / 1000, devices: macs.length, warmup_ms: warmupMs, gzip, event_loop: eventLoop,
      daemon_rss_mb: rss ? Number(rss[1]) / 1048576 : NaN, daemon_cpu_ms: daemonCpuMs, daemon_cpu_ms_per_request: daemonCpuMs / requests,
      client_loop: { p99: Math.max(0, clientLoop.percentile(99) / 1e6 - 10), max: Math.max(0, clientLoop.max / 1e6 - 10) },
      routes: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summary(v)])),
      health: summary(health), seed, slowest: slowest.sort((a, b) => b[0] - a[0]).slice(0, 5).map(([ms, at, u]) => ({ ms: Math.round(ms), at_ms: Math.round(at), path: u })), health_failures: healthFail, failures, sse_events: sseEvents, sse_errors: sseErrors,
    };
    log(out);
    return out;
  } finally {
    for (const r of sseReqs) r.destroy();
    agent.destroy();
    child.kill('SIGTERM');
    await new Promise((r) => { if (child.exitCode !== null) r(); else child.once('exit', r); });
    rmSync(data, { recursive: true, force: true });
  }
}

/** The table `npm run bench -- --load` prints. */
export function printLoad(out) {
  const f = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '-');
  console.log(`load: ${out.requests} requests, ${out.concurrency} concurrent, ${out.sse} SSE streams, demo looping on a seeded store (${out.devices} devices, 2000 alerts), load from ${out.warmup_ms} ms after login, ${out.gzip ? 'Accept-Encoding: gzip, deflate, br' : 'no Accept-Encoding'}; ${out.wall_s.toFixed(1)} s`);
  console.log('route        n      p50        p99        max');
  for (const [k, s] of [...Object.entries(out.routes), ['health', out.health]]) {
    console.log(`${k.padEnd(10)} ${String(s.n).padStart(5)} ${f(s.p50).padStart(10)} ${f(s.p99).padStart(10)} ${f(s.max).padStart(10)}`);
  }
  const el = out.event_loop;
  console.log(`event loop (daemon, from listening to the end of the load): delay p50 ${f(el.p50)}, p99 ${f(el.p99)}, max ${f(el.max)}; the bench's own: p99 ${f(out.client_loop.p99)}, max ${f(out.client_loop.max)}`);
  console.log(`daemon CPU during the load: ${out.daemon_cpu_ms.toFixed(0)} ms, ${out.daemon_cpu_ms_per_request.toFixed(2)} ms per request (health probes and SSE included); resident after it: ${out.daemon_rss_mb.toFixed(0)} MB`);
  console.log(`slowest: ${out.slowest.map((s) => `${s.path} ${s.ms} ms (sent at ${s.at_ms} ms)`).join('; ')}`);
  console.log(`failures: ${out.failures.length}${out.failures.length ? ` (${out.failures.slice(0, 5).join(', ')})` : ''}; health failures: ${out.health_failures}; SSE errors: ${out.sse_errors}`);
}
