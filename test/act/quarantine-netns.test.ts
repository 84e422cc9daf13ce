// Quarantine and pause for real: Waakhond in a "router" namespace applies its nftables ruleset between a LAN bridge
// and a WAN veth; a device namespace raises a Mirai infection (generated scanner traffic replayed through the
// daemon), and real connections from inside the namespaces prove what it can and cannot reach, before, during and
// after quarantine, across a restart of Waakhond, and for a pause that ends by its own nft timeout.
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanProbes } from '../gen/mirai.js';
import { pcapBytes } from '../gen/pcap.js';
import { S, Scene } from '../gen/scene.js';
import { PROJECT_ROOT } from '../helpers/shared.js';
import {
  ADDR, HAVE_CURL, HAVE_NFT, IS_ROOT, MAC, NS, buildNetwork, curlFrom, destroyNetwork, leftovers, sh, spawnIn, udpFrom, waitUntil,
} from './netns.js';
import { describeNeeds, firstMissing } from '../helpers/needs.js';


const PASSWORD = 'quarantine-test-password';
const API_PORT = 18080;
const PORTAL_PORT = 8089;
const T0 = Date.UTC(2026, 10, 21, 19, 0, 0) * 1000;

let dir: string;
let entry: string;
let daemon: ReturnType<typeof spawnIn> | null = null;
const servers: ReturnType<typeof spawnIn>[] = [];
const api = `http://${ADDR.mgmtRouter}:${API_PORT}`;
let cookie = '';
let csrf = '';

/** Generated Mirai scanning from the device's own MAC and address: what the daemon will call infected. */
function infectionCapture(): Buffer {
  const sc = new Scene({ mac: MAC.bridge, ip: ADDR.router }, 16);
  scanProbes(sc, { mac: MAC.dev, ip: ADDR.dev }, T0 + 5 * S, 30, { answered: 4 });
  return pcapBytes(sc.records);
}

/** The second home host shows up (a DNS question): a new device for only-known-devices mode. */
function newHostCapture(): Buffer {
  const sc = new Scene({ mac: MAC.bridge, ip: ADDR.router }, 17);
  sc.dns({ mac: MAC.host, ip: ADDR.host }, { mac: MAC.bridge, ip: ADDR.router }, T0 + 600 * S, 'example.org', ['198.51.100.2']);
  return pcapBytes(sc.records);
}

async function startWaakhond(pcapName = 'mirai.pcap', config = 'config.yaml'): Promise<void> {
  daemon = spawnIn(NS.router, [process.execPath, entry, 'run', '--pcap', path.join(dir, pcapName), '--host', '0.0.0.0',
    '--port', String(API_PORT), '--data', path.join(dir, 'data'), '--config', path.join(dir, config)],
  { WAAKHOND_HOME: PROJECT_ROOT, WAAKHOND_PASSWORD: PASSWORD });
  await waitUntil('the daemon to read the capture', () => /capture: finished/.test(daemon!.out()), 30_000);
  const res = await request('POST', '/api/login', { 'content-type': 'application/json' }, JSON.stringify({ password: PASSWORD }));
  expect(res.status).toBe(200);
  cookie = (res.headers['set-cookie']?.[0] ?? '').split(';')[0];
  csrf = (JSON.parse(res.text) as { csrf: string }).csrf;
}

async function stopWaakhond(): Promise<void> {
  if (!daemon) return;
  daemon.child.kill('SIGTERM');
  await daemon.exited;
  daemon = null;
}

/** One request on its own connection (node:http, no keep-alive): a pooled socket the daemon closed while the test
 * was busy in the namespaces would fail the next write for a reason that is not the test's. */
function request(method: string, p: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${api}${p}`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function call(method: string, p: string, body?: unknown, opts: { csrf?: boolean } = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { cookie };
  if (opts.csrf !== false) headers['x-csrf-token'] = csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(method, p, headers, body === undefined ? undefined : JSON.stringify(body));
  return { status: res.status, json: JSON.parse(res.text) as Record<string, unknown> };
}

/** What the device reaches, by real connections from its namespace. */
function reach() {
  return {
    wan: curlFrom(NS.dev, `http://${ADDR.wan}:8000/`),
    wanHttp: curlFrom(NS.dev, `http://${ADDR.wan}/`),
    lanHost: curlFrom(NS.dev, `http://${ADDR.host}:9000/`),
    hostToDev: curlFrom(NS.host, `http://${ADDR.dev}:7000/`),
    dns: udpFrom(NS.dev, ADDR.router, 53, 40053),
    dhcp: udpFrom(NS.dev, ADDR.router, 67, 68),
    dashboard: curlFrom(NS.dev, `http://${ADDR.router}:${API_PORT}/api/health`),
  };
}

function expectFree(r: ReturnType<typeof reach>): void {
  expect(r.wan).toBe('wan-8000');
  expect(r.wanHttp).toBe('wan-80');
  expect(r.lanHost).toBe('lan-host');
  expect(r.hostToDev).toBe('device');
  expect(r.dns).toBe('dns-ok');
  expect(r.dhcp).toBe('dhcp-ok');
  expect(r.dashboard).toContain('"ok"');
}

function expectQuarantined(r: ReturnType<typeof reach>): void {
  expect(r.wan).toBeNull();
  expect(r.lanHost).toBeNull();
  expect(r.hostToDev).toBeNull();
  expect(r.dashboard).toBeNull();
  // Still gets addresses and names from the router, and plain HTTP anywhere shows the explanation page.
  expect(r.dns).toBe('dns-ok');
  expect(r.dhcp).toBe('dhcp-ok');
  expect(r.wanHttp).toContain('This device is cut off from the internet');
}

describeNeeds('quarantine from the router (network namespaces, nftables, real connections)',
  firstMissing(IS_ROOT ? null : 'root', HAVE_NFT ? null : 'nft (apt-get install nftables)', HAVE_CURL ? null : 'curl'), () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'waakhond-act-'));
    entry = path.join(dir, 'waakhond.mjs');
    await build({
      entryPoints: [path.join(PROJECT_ROOT, 'sensor', 'waakhond.ts')], bundle: true, platform: 'node', format: 'esm', outfile: entry,
      external: ['pcap'], logLevel: 'error',
      banner: { js: "import { createRequire as __wkCreateRequire } from 'node:module'; const require = __wkCreateRequire(import.meta.url);" },
    });
    writeFileSync(path.join(dir, 'mirai.pcap'), infectionCapture());
    writeFileSync(path.join(dir, 'new-host.pcap'), newHostCapture());
    writeFileSync(path.join(dir, 'config.yaml'), `act:\n  enabled: true\n  lan_iface: [br0]\n  portal_port: ${PORTAL_PORT}\n`);
    writeFileSync(path.join(dir, 'config-known.yaml'), `act:\n  enabled: true\n  lan_iface: [br0]\n  portal_port: ${PORTAL_PORT}\n  only_known_devices: true\n`);
    destroyNetwork();
    buildNetwork();
    const srv = new URL('./ns-servers.mjs', import.meta.url).pathname;
    servers.push(spawnIn(NS.wan, [process.execPath, srv, 'http', '8000', 'wan-8000', '80', 'wan-80']));
    servers.push(spawnIn(NS.host, [process.execPath, srv, 'http', '9000', 'lan-host']));
    servers.push(spawnIn(NS.dev, [process.execPath, srv, 'http', '7000', 'device']));
    servers.push(spawnIn(NS.router, [process.execPath, srv, 'udp', '53', 'dns-ok', '67', 'dhcp-ok']));
    for (const s of servers) await waitUntil('a namespace server', () => s.out().includes('ready'));
    await startWaakhond();
  }, 120_000);

  afterAll(async () => {
    await stopWaakhond().catch(() => undefined);
    for (const s of servers) s.child.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.exited));
    destroyNetwork();
    expect(leftovers()).toEqual([]);
  }, 30_000);

  it('the device is infected, the router can act, and the device reaches everything before quarantine', async () => {
    const dev = await call('GET', `/api/devices/${MAC.dev}`);
    expect(dev.status).toBe(200);
    expect(dev.json.status).toBe('infected');
    const act = await call('GET', '/api/act');
    expect(act.json.capability).toMatchObject({ capable: true, reasons: [], lan: ['br0'], router_v4: ADDR.router });
    expectFree(reach());
  });

  it('quarantine cuts the device off from the WAN and the other home host, leaving DNS/DHCP and the explanation page', async () => {
    const q = await call('POST', `/api/devices/${MAC.dev}/quarantine`);
    expect(q.status).toBe(200);
    expect(q.json.quarantined).toMatchObject({ by: 'household' });
    expect(sh(['ip', 'netns', 'exec', NS.router, 'nft', 'list', 'set', 'inet', 'waakhond', 'quarantine'])).toContain(MAC.dev);
    expectQuarantined(reach());
    // The explanation page speaks Dutch to a Dutch browser.
    const nl = sh(['ip', 'netns', 'exec', NS.dev, 'curl', '-s', '-m', '2', '-H', 'Accept-Language: nl-NL,nl;q=0.9,en;q=0.5', `http://${ADDR.wan}/`]);
    expect(nl).toContain('Dit apparaat is afgesloten van het internet');
    // The other home host is untouched.
    expect(curlFrom(NS.host, `http://${ADDR.wan}:8000/`)).toBe('wan-8000');
    // A second quarantine of the same device is refused and changes nothing.
    expect((await call('POST', `/api/devices/${MAC.dev}/quarantine`)).status).toBe(409);
    expect(daemon!.out()).toMatch(/act: quarantine 02:77:00:00:00:10 by household/);
  }, 60_000);

  it('the quarantine survives a restart of Waakhond (and a reboot that emptied the firewall), then lifts', async () => {
    await stopWaakhond();
    // A reboot: the kernel forgets every table; the store remembers.
    sh(['ip', 'netns', 'exec', NS.router, 'nft', 'delete', 'table', 'inet', 'waakhond']);
    sh(['ip', 'netns', 'exec', NS.router, 'nft', 'delete', 'table', 'bridge', 'waakhond']);
    expect(curlFrom(NS.dev, `http://${ADDR.wan}:8000/`)).toBe('wan-8000');
    await startWaakhond();
    expectQuarantined(reach());
    const lift = await call('DELETE', `/api/devices/${MAC.dev}/quarantine`);
    expect(lift.status).toBe(200);
    expect(lift.json.quarantined).toBeNull();
    expectFree(reach());
  }, 90_000);

  it('a pause takes the device off the internet only, and ends by itself (nft set element timeout)', async () => {
    const p = await call('POST', `/api/devices/${MAC.dev}/pause`, { until_ms: Date.now() + 4000 });
    expect(p.status).toBe(200);
    expect(curlFrom(NS.dev, `http://${ADDR.wan}:8000/`)).toBeNull();
    expect(curlFrom(NS.dev, `http://${ADDR.host}:9000/`)).toBe('lan-host');
    await new Promise((r) => setTimeout(r, 4500));
    expect(curlFrom(NS.dev, `http://${ADDR.wan}:8000/`)).toBe('wan-8000');
    // A pause lifted by hand.
    expect((await call('POST', `/api/devices/${MAC.dev}/pause`, { until_ms: Date.now() + 3600_000 })).status).toBe(200);
    expect(curlFrom(NS.dev, `http://${ADDR.wan}:8000/`)).toBeNull();
    expect((await call('DELETE', `/api/devices/${MAC.dev}/pause`)).status).toBe(200);
    expect(curlFrom(NS.dev, `http://${ADDR.wan}:8000/`)).toBe('wan-8000');
  }, 60_000);

  it('only known devices: a new host gets the internet but no home device until the household approves it', async () => {
    await stopWaakhond();
    // Switched on now: the devices already known (the infected one) are approved; the host appears afterwards.
    await startWaakhond('new-host.pcap', 'config-known.yaml');
    expect((await call('GET', `/api/devices/${MAC.host}`)).status).toBe(200);
    expect(curlFrom(NS.host, `http://${ADDR.wan}:8000/`)).toBe('wan-8000');
    expect(curlFrom(NS.host, `http://${ADDR.dev}:7000/`)).toBeNull();
    expect(curlFrom(NS.dev, `http://${ADDR.host}:9000/`)).toBeNull();
    expect(curlFrom(NS.dev, `http://${ADDR.wan}:8000/`)).toBe('wan-8000');
    const ok = await call('POST', `/api/devices/${MAC.host}/approve`);
    expect(ok.status).toBe(200);
    expect(curlFrom(NS.host, `http://${ADDR.dev}:7000/`)).toBe('device');
    expect(curlFrom(NS.dev, `http://${ADDR.host}:9000/`)).toBe('lan-host');
  }, 90_000);

  it('uninstall-firewall removes every table of ours, and a write without CSRF token changes nothing', async () => {
    const noCsrf = await call('POST', `/api/devices/${MAC.dev}/quarantine`, undefined, { csrf: false });
    expect(noCsrf.status).toBe(403);
    expect(curlFrom(NS.dev, `http://${ADDR.wan}:8000/`)).toBe('wan-8000');
    expect((await call('POST', `/api/devices/${MAC.dev}/quarantine`)).status).toBe(200);
    expect(curlFrom(NS.dev, `http://${ADDR.wan}:8000/`)).toBeNull();
    await stopWaakhond();
    sh(['ip', 'netns', 'exec', NS.router, process.execPath, entry, 'uninstall-firewall']);
    expect(sh(['ip', 'netns', 'exec', NS.router, 'nft', 'list', 'tables'])).not.toContain('waakhond');
    expect(curlFrom(NS.dev, `http://${ADDR.wan}:8000/`)).toBe('wan-8000');
  }, 60_000);
});
