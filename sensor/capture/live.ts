// Live capture on a network interface: the native pcap addon when it loads, else a tcpdump child.
import { spawnSync } from 'node:child_process';
import type { FrameSource } from './frame.js';
import { loadPcapAddon, openPcapLive } from './live-pcap.js';
import { openTcpdumpLive } from './live-tcpdump.js';
import { NEED_CAP_NET_RAW } from './live-errors.js';

export { NEED_CAP_NET_RAW } from './live-errors.js';

export interface LiveOptions {
  /** Interface name, e.g. br-lan. */
  iface: string;
  /** BPF filter expression (pcap-filter(7)), applied in the kernel. */
  filter?: string;
  /** Bytes kept per packet; default 262144 (libpcap's maximum, whole packets). */
  snaplen?: number;
  /** Promiscuous mode; default true (a sensor on a bridge port sees other hosts' traffic). */
  promisc?: boolean;
  /** 'auto' (default): the addon if it loads, else tcpdump. */
  backend?: 'auto' | 'pcap' | 'tcpdump';
  /** tcpdump binary for the fallback; default `tcpdump` on PATH. */
  tcpdump?: string;
  /** Kernel ring (libpcap buffer) in bytes; default DEFAULT_BUFFER_SIZE (live-pcap.ts). */
  bufferSize?: number;
  /**
   * libpcap immediate mode: every packet wakes the reader at once. Default off (batch: the kernel
   * hands over full ring blocks, or what it has after 100 ms), which costs fewer wake-ups per packet.
   */
  immediate?: boolean;
}

/** A live source, with the backend that serves it. */
export type LiveSource = FrameSource & { readonly backend: 'pcap' | 'tcpdump' };

function tcpdumpUsable(bin: string): boolean {
  const r = spawnSync(bin, ['--version'], { stdio: 'ignore' });
  return r.error === undefined;
}

/**
 * Start capturing; resolves once packets are being captured. Throws (rejects) with a clear reason
 * when capture cannot start: missing CAP_NET_RAW (NEED_CAP_NET_RAW), no such interface, a bad
 * filter, or neither the pcap addon nor tcpdump available. close() stops the capture; frames
 * already captured are still delivered, then the iteration ends.
 */
export async function openLive(opts: LiveOptions): Promise<LiveSource> {
  const o = {
    iface: opts.iface,
    filter: opts.filter,
    snaplen: opts.snaplen ?? 262144,
    promisc: opts.promisc ?? true,
    tcpdump: opts.tcpdump ?? 'tcpdump',
    bufferSize: opts.bufferSize,
    immediate: opts.immediate ?? false,
  };
  const backend = opts.backend ?? 'auto';
  if (backend === 'tcpdump') return openTcpdumpLive(o);
  const addon = await loadPcapAddon();
  if ('reason' in addon) {
    if (backend === 'pcap') throw new Error(`live capture with backend pcap: ${addon.reason}`);
    if (!tcpdumpUsable(o.tcpdump)) {
      throw new Error(`live capture needs the pcap addon or tcpdump, and neither is available: ${addon.reason}; and \`${o.tcpdump}\` was not found (apt-get install tcpdump / opkg install tcpdump)`);
    }
    return openTcpdumpLive(o);
  }
  try {
    return openPcapLive(addon.mod, o);
  } catch (err) {
    // tcpdump may hold the capability as a file capability when node does not: try it before giving up.
    if (backend === 'auto' && err instanceof Error && err.message.startsWith(NEED_CAP_NET_RAW) && tcpdumpUsable(o.tcpdump)) {
      return openTcpdumpLive(o);
    }
    throw err;
  }
}
