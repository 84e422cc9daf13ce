// Can Waakhond act on this machine: CAP_NET_ADMIN, nft present and accepted by the kernel, and are we the gateway
// (forwarding on, the LAN interface up with an address, a default route out of another interface)?
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { NftRunner } from './nft.js';

export interface Capability {
  capable: boolean;
  /** Why not, in English words for the log and the API (empty when capable). */
  reasons: string[];
  /** The same reasons as codes (REASON_CODES), which the dashboard says in the household's language. */
  codes: ReasonCode[];
  lan: string[];
  /** The router's IPv4 address on the first LAN interface (the explanation page listens there). */
  router_v4: string | null;
  /** The LAN networks (CIDR) a device must be on for its traffic to pass through us. */
  lan_nets: string[];
}

export interface DetectOptions {
  enabled: boolean;
  lan: string[] | null;
  nft: NftRunner;
  /** A script the kernel must accept (`nft --check`): the empty ruleset. */
  probeScript: (lan: string[], routerV4: string | null) => string;
  readFile?: (p: string) => string;
  interfaces?: typeof networkInterfaces;
}

export const REASON_CODES = ['off', 'no-lan', 'no-cap', 'no-forward', 'lan-missing', 'lan-no-ipv4', 'no-route', 'nft-refused', 'starting'] as const;
export type ReasonCode = typeof REASON_CODES[number];

/** CAP_NET_ADMIN is bit 12 of the effective set (linux/capability.h). */
const CAP_NET_ADMIN = 12n;

export function hasNetAdmin(status: string): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)/m.exec(status);
  return !!m && ((BigInt('0x' + m[1]) >> CAP_NET_ADMIN) & 1n) === 1n;
}

/** /proc/net/route: is there a default route (destination 0, mask 0) through an interface that is not the LAN? */
export function defaultRouteOut(routeTable: string, lan: string[]): string | null {
  for (const line of routeTable.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f[1] === '00000000' && f[7] === '00000000' && !lan.includes(f[0])) return f[0];
  }
  return null;
}

export async function detectCapability(o: DetectOptions): Promise<Capability> {
  const read = o.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const ifs = (o.interfaces ?? networkInterfaces)();
  const reasons: string[] = [];
  const codes: ReasonCode[] = [];
  const why = (code: ReasonCode, text: string) => { codes.push(code); reasons.push(text); };
  const lan = o.lan ?? [];
  const base = { lan, router_v4: null as string | null, lan_nets: [] as string[] };
  if (!o.enabled) return { capable: false, reasons: ['switched off in the config (act.enabled: false)'], codes: ['off'], ...base };
  if (lan.length === 0) return { capable: false, reasons: ['no LAN interface known (set act.lan_iface, or run with --iface)'], codes: ['no-lan'], ...base };
  const safe = (p: string): string | null => { try { return read(p); } catch { return null; } };
  const status = safe('/proc/self/status');
  if (status !== null && !hasNetAdmin(status)) why('no-cap', 'no permission to change the firewall (CAP_NET_ADMIN missing)');
  if (safe('/proc/sys/net/ipv4/ip_forward')?.trim() !== '1') why('no-forward', 'IP forwarding is off: this machine is not the home\'s router');
  for (const name of lan) {
    const a = ifs[name]?.find((x) => x.family === 'IPv4');
    if (!ifs[name]) why('lan-missing', `LAN interface ${name} not found`);
    else if (!a) why('lan-no-ipv4', `LAN interface ${name} has no IPv4 address`);
    else {
      base.router_v4 ??= a.address;
      if (a.cidr) base.lan_nets.push(a.cidr);
    }
  }
  const routes = safe('/proc/net/route');
  if (routes !== null && !defaultRouteOut(routes, lan)) why('no-route', 'no default route out of another interface: home traffic does not pass through this machine');
  if (reasons.length === 0) {
    // Last: nft itself and the kernel (nf_tables, the bridge family) must accept the ruleset we would apply.
    const probe = await o.nft(o.probeScript(lan, base.router_v4), { check: true });
    if (!probe.ok) why('nft-refused', `nftables refused the ruleset: ${probe.error}`);
  }
  return { capable: reasons.length === 0, reasons, codes, ...base };
}

const v4num = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/** Is an IPv4 address inside one of the CIDRs (os.networkInterfaces' "10.77.0.1/24" form)? */
export function inAnyNet(ip: string, nets: string[]): boolean {
  if (!isIPv4(ip)) return false;
  return nets.some((n) => {
    const [base, bits] = n.split('/');
    const b = Number(bits);
    if (!isIPv4(base) || !(b >= 0 && b <= 32)) return false;
    const size = 2 ** (32 - b);
    return Math.floor(v4num(ip) / size) === Math.floor(v4num(base) / size);
  });
}
