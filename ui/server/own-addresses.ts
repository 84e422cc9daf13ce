// The sensor's own MACs and addresses on its capture interface, read from the OS: they are never home devices.
import { networkInterfaces } from 'node:os';

export interface OwnAddresses {
  macs: string[];
  ips: string[];
}

/**
 * The capture interface's MAC(s) and IP addresses (IPv6 without a zone). In the OCI container the
 * container's own interface is what `--iface` names, so this reads the container's addresses too.
 * An interface the OS does not list (a typo is caught later by the capture) gives nothing.
 */
export function ownAddresses(iface: string, list: ReturnType<typeof networkInterfaces> = networkInterfaces()): OwnAddresses {
  const macs = new Set<string>();
  const ips = new Set<string>();
  for (const a of list[iface] ?? []) {
    const mac = a.mac.toLowerCase();
    if (mac !== '00:00:00:00:00:00') macs.add(mac);
    ips.add(a.address.replace(/%.*$/, '').toLowerCase());
  }
  return { macs: [...macs], ips: [...ips] };
}
