// The quarantine test's network, built in namespaces it owns and removes: a "router" namespace with a LAN bridge
// (the device and a second home host on it) and a WAN veth to an "internet" host, plus a management veth from the
// test's own namespace so the test can reach the daemon's API. Nothing leaves these namespaces.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export const IS_ROOT = process.getuid?.() === 0;
export const HAVE_NFT = spawnSync('nft', ['--version']).status === 0;
export const HAVE_CURL = spawnSync('curl', ['--version']).status === 0;

const id = process.pid % 10000;
export const NS = { router: `wq${id}r`, dev: `wq${id}d`, host: `wq${id}h`, wan: `wq${id}w` };
/** The management link (root namespace side); unique per test process so parallel runs do not collide. */
const MGMT = `wqm${id}`;
const m = [10, 200 + (id % 50), Math.floor(id / 50) % 250];
export const ADDR = {
  router: '10.77.0.1', dev: '10.77.0.10', host: '10.77.0.20', routerWan: '198.51.100.1', wan: '198.51.100.2',
  mgmtRouter: `${m.join('.')}.1`, mgmtTest: `${m.join('.')}.2`,
};
export const MAC = { dev: '02:77:00:00:00:10', host: '02:77:00:00:00:20', bridge: '02:77:00:00:00:01' };

export function sh(cmd: string[], allowFail = false): string {
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
  if (r.status !== 0 && !allowFail) throw new Error(`${cmd.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}
const inNs = (ns: string, ...cmd: string[]) => sh(['ip', 'netns', 'exec', ns, ...cmd]);

export function buildNetwork(): void {
  for (const ns of Object.values(NS)) sh(['ip', 'netns', 'add', ns]);
  const r = NS.router;
  sh(['ip', '-n', r, 'link', 'add', 'br0', 'address', MAC.bridge, 'type', 'bridge']);
  sh(['ip', '-n', r, 'link', 'add', 'rd0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS.dev]);
  sh(['ip', '-n', r, 'link', 'add', 'rh0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS.host]);
  sh(['ip', '-n', r, 'link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS.wan]);
  sh(['ip', 'link', 'add', MGMT, 'type', 'veth', 'peer', 'name', 'mgmt0', 'netns', r]);
  for (const p of ['rd0', 'rh0']) { sh(['ip', '-n', r, 'link', 'set', p, 'master', 'br0']); sh(['ip', '-n', r, 'link', 'set', p, 'up']); }
  sh(['ip', '-n', r, 'addr', 'add', `${ADDR.router}/24`, 'dev', 'br0']);
  sh(['ip', '-n', r, 'addr', 'add', `${ADDR.routerWan}/24`, 'dev', 'wan0']);
  sh(['ip', '-n', r, 'addr', 'add', `${ADDR.mgmtRouter}/30`, 'dev', 'mgmt0']);
  for (const l of ['br0', 'wan0', 'mgmt0', 'lo']) sh(['ip', '-n', r, 'link', 'set', l, 'up']);
  sh(['ip', '-n', r, 'route', 'add', 'default', 'via', ADDR.wan]);
  inNs(r, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  // Like OpenWrt (no br_netfilter): bridged frames between LAN ports skip the inet hooks, so only the bridge table
  // can keep the device from the other LAN host. A host with br_netfilter loaded (Docker) would otherwise hide a
  // missing bridge rule behind the inet ones. Per namespace; absent when br_netfilter is not loaded at all.
  for (const k of ['iptables', 'ip6tables', 'arptables']) sh(['ip', 'netns', 'exec', r, 'sysctl', '-qw', `net.bridge.bridge-nf-call-${k}=0`], true);
  sh(['ip', 'addr', 'add', `${ADDR.mgmtTest}/30`, 'dev', MGMT]);
  sh(['ip', 'link', 'set', MGMT, 'up']);
  const leaf = (ns: string, ip: string, mac: string | null, gw: string, net: string) => {
    if (mac) sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'address', mac]);
    sh(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    sh(['ip', '-n', ns, 'route', 'add', net, 'via', gw]);
  };
  leaf(NS.dev, ADDR.dev, MAC.dev, ADDR.router, 'default');
  leaf(NS.host, ADDR.host, MAC.host, ADDR.router, 'default');
  leaf(NS.wan, ADDR.wan, null, ADDR.routerWan, '10.77.0.0/24');
}

/** Removes everything buildNetwork may have made (each step on its own: a half-built network is undone too). */
export function destroyNetwork(): void {
  sh(['ip', 'netns', 'exec', NS.router, 'nft', 'delete', 'table', 'inet', 'waakhond'], true);
  for (const ns of Object.values(NS)) sh(['ip', 'netns', 'del', ns], true);
  sh(['ip', 'link', 'del', MGMT], true);
}

export function leftovers(): string[] {
  const ns = sh(['ip', 'netns', 'list'], true);
  const out = Object.values(NS).filter((n) => ns.includes(n));
  if (sh(['ip', 'link', 'show', MGMT], true).includes(MGMT)) out.push(MGMT);
  return out;
}

/** A long-running process inside a namespace (servers, the daemon). */
export function spawnIn(ns: string, cmd: string[], env: Record<string, string> = {}): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn('ip', ['netns', 'exec', ns, ...cmd], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

/** HTTP GET from inside a namespace with curl: the body, or null when no connection was made within 2 s. */
export function curlFrom(ns: string, url: string): string | null {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'curl', '-s', '-m', '2', '--connect-timeout', '2', url], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : null;
}

export function udpFrom(ns: string, host: string, port: number, srcPort: number): string {
  return sh(['ip', 'netns', 'exec', ns, process.execPath, new URL('./udp-probe.mjs', import.meta.url).pathname, host, String(port), String(srcPort)]);
}

export async function waitUntil(what: string, f: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!(await f())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
