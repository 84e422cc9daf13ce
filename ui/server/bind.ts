// Where the dashboard listens: the LAN side, never a WAN interface, unless --host says otherwise.
//
// Rule (README, security model): --host wins. With --iface, the capture interface's private
// address (it is the LAN: we watch the home network). Else br-lan (OpenWrt's LAN bridge) if it
// has an address, else the first interface with an RFC 1918 IPv4 address. A public or CGNAT
// (RFC 6598, 100.64/10: an ISP's side) address is never chosen. Nothing found, or a demo: 127.0.0.1.
import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';

export interface BindChoice { host: string; why: string }

export function isRfc1918(ip: string): boolean {
  const m = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(ip);
  if (!m) return false;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

function privateV4(list: NetworkInterfaceInfo[] | undefined): string | null {
  for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal && isRfc1918(a.address)) return a.address;
  return null;
}

export function chooseBind(opts: { host: string | null; iface: string | null; demo: boolean }, ifaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): BindChoice {
  if (opts.host) return { host: opts.host, why: '--host' };
  if (opts.demo) return { host: '127.0.0.1', why: 'demo mode listens on loopback only (use --host to share it)' };
  if (opts.iface) {
    const ip = privateV4(ifaces[opts.iface]);
    if (ip) return { host: ip, why: `private address of capture interface ${opts.iface}` };
    return { host: '127.0.0.1', why: `capture interface ${opts.iface} has no private IPv4 address: loopback only (use --host)` };
  }
  const lan = privateV4(ifaces['br-lan']);
  if (lan) return { host: lan, why: 'OpenWrt LAN bridge br-lan' };
  for (const [name, list] of Object.entries(ifaces)) {
    const ip = privateV4(list);
    if (ip) return { host: ip, why: `first private (RFC 1918) address, on ${name}` };
  }
  return { host: '127.0.0.1', why: 'no private address found: loopback only' };
}
