// Clear messages for live-capture failures: missing CAP_NET_RAW, no capture backend at all.
import { readFileSync } from 'node:fs';

export const NEED_CAP_NET_RAW =
  'live capture needs CAP_NET_RAW (not root): run as root, or give the binary/unit AmbientCapabilities=CAP_NET_RAW';

/** CAP_NET_RAW is bit 13 of the effective set (linux/capability.h). null where /proc is not Linux. */
export function hasCapNetRaw(): boolean | null {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m === null) return null;
    return (BigInt('0x' + m[1]) & (1n << 13n)) !== 0n;
  } catch {
    return null;
  }
}

/** Whether a libpcap/tcpdump error text means "not allowed to open a packet socket". */
export function isPermissionError(text: string): boolean {
  return /permission|operation not permitted|EPERM|EACCES/i.test(text);
}

/** Error thrown by openLive for a missing capability, with the backend's own words appended. */
export function capNetRawError(backend: string, detail: string): Error {
  return new Error(`${NEED_CAP_NET_RAW} (${backend}: ${detail.trim()})`);
}
