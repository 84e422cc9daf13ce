// Live capture through the optional native `pcap` addon (libpcap): BPF filter in the kernel, frames
// copied out of libpcap's ring into slabs, kernel drop counters from pcap_stats().
import { endianness } from 'node:os';
import type { Frame, FrameSource, SourceStats } from './frame.js';
import { newSourceStats } from './frame.js';
import { capNetRawError, hasCapNetRaw, isPermissionError } from './live-errors.js';

/** The parts of node_pcap 3.x we use (its own typings are for Node 10). */
interface PcapModule {
  createSession(device: string, opts: { filter?: string; snap_length?: number; buffer_size?: number; buffer_timeout?: number; promiscuous?: boolean }): PcapSession;
  lib_version: string;
  /** Called by the addon with libpcap warnings (default: console.warn). */
  warningHandler: (msg: string) => void;
}
interface PcapSession {
  link_type: string;
  buf: Buffer;
  header: Buffer;
  session: { dispatch(buf: Buffer, header: Buffer): number; read_callback: () => void; stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number } };
  on(ev: 'packet', fn: () => void): void;
  close(): void;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
}

/** node_pcap reports the link type by DLT name; the ones we decode, plus a fallback. */
const LINKTYPE_BY_NAME: Record<string, number> = {
  LINKTYPE_ETHERNET: 1,
  LINKTYPE_NULL: 0,
  LINKTYPE_RAW: 101,
  LINKTYPE_LINUX_SLL: 113,
  LINKTYPE_IEEE802_11: 105,
  LINKTYPE_IEEE802_11_RADIO: 127,
};

/** Load the addon; the reason it is unavailable otherwise (not installed, or built without libpcap). */
export async function loadPcapAddon(): Promise<{ mod: PcapModule } | { reason: string }> {
  const specifier = 'pcap'; // a variable, so bundlers leave the native addon to be resolved at run time
  try {
    const m = (await import(/* @vite-ignore */ specifier)) as { default?: PcapModule } & PcapModule;
    const mod = m.default ?? m;
    if (typeof mod.createSession !== 'function') return { reason: 'the pcap module has no createSession()' };
    return { mod };
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { reason: `the optional pcap addon is not available (${msg}); install libpcap-dev and run \`npm rebuild pcap\`` };
  }
}

const SLAB = 1 << 20;
/** Frames held for a consumer that is not keeping up; beyond this they are dropped and counted. */
const MAX_QUEUED = 1 << 16;
const LE = endianness() === 'LE';

export class PcapLiveSource implements FrameSource {
  readonly name: string;
  readonly stats: SourceStats = newSourceStats();
  readonly backend = 'pcap';
  private batch: Frame[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  /** pcap_breakloop() was called (node_pcap's close()). */
  private breakSent = false;
  /** libpcap answered the break with -2: the poll handle is stopped and the pcap handle closed. */
  private released = false;
  private slab = new Uint8Array(SLAB);
  private slabOff = 0;
  private queueDrops = 0;
  private timer: NodeJS.Timeout;
  private readonly linktype: number;

  constructor(private readonly session: PcapSession, iface: string) {
    this.name = `live:${iface}`;
    // Other DLTs come as "Unknown linktype N" (pcap_session.cc); DLT and LINKTYPE agree for those we decode (SLL2 = 276).
    this.linktype = LINKTYPE_BY_NAME[session.link_type] ?? Number(/(\d+)$/.exec(session.link_type)?.[1] ?? -1);
    this.stats.dropped = 0;
    session.on('packet', () => this.onPacket());
    // node_pcap dispatches one packet per poll wake-up; drain everything that is ready instead.
    const inner = session.session;
    inner.read_callback = () => {
      if (this.closed) {
        this.release();
        return;
      }
      for (let i = 0; i < 10000 && inner.dispatch(session.buf, session.header) > 0; i++);
    };
    this.timer = setInterval(() => this.readDrops(), 1000);
    this.timer.unref();
  }

  private onPacket(): void {
    const h = this.session.header;
    const caplen = Math.min(LE ? h.readUInt32LE(8) : h.readUInt32BE(8), this.session.buf.length);
    const len = LE ? h.readUInt32LE(12) : h.readUInt32BE(12);
    const sec = LE ? h.readUInt32LE(0) : h.readUInt32BE(0);
    const usec = LE ? h.readUInt32LE(4) : h.readUInt32BE(4);
    if (this.batch.length >= MAX_QUEUED) {
      this.queueDrops++;
      return;
    }
    // libpcap's buffer is reused for the next packet: copy into a slab shared by many frames.
    if (this.slabOff + caplen > this.slab.length) {
      this.slab = new Uint8Array(Math.max(SLAB, caplen));
      this.slabOff = 0;
    }
    const data = this.slab.subarray(this.slabOff, this.slabOff + caplen);
    data.set(this.session.buf.subarray(0, caplen));
    this.slabOff += caplen;
    this.batch.push({ ts: sec * 1e6 + usec, len, data, linktype: this.linktype, iface: 0 });
    this.stats.frames++;
    this.stats.bytes += len;
    if (this.wake !== null) {
      const w = this.wake;
      this.wake = null;
      w();
    }
  }

  private readDrops(): void {
    if (this.closed) return;
    try {
      const s = this.session.stats();
      this.stats.dropped = s.ps_drop + s.ps_ifdrop + this.queueDrops;
    } catch {
      // a closed handle: keep the last figure
    }
  }

  close(): void {
    if (this.closed) return;
    this.readDrops();
    this.closed = true;
    clearInterval(this.timer);
    this.release();
    if (this.wake !== null) {
      const w = this.wake;
      this.wake = null;
      w();
    }
  }

  /**
   * node_pcap's close() only calls pcap_breakloop(): its uv_poll handle stays started and referenced
   * until a dispatch returns -2 (PCAP_ERROR_BREAK), which is what runs its FinalizeClose (uv_poll_stop +
   * pcap_close). Ignoring the poll's wake-ups once closed (as this file did) left the socket readable
   * for ever: the level-triggered poll called us back without end (50-85% CPU) and the process never
   * exited (issue #14). In non-blocking mode libpcap 1.10 sees the break only when it reads a packet,
   * so we dispatch now and on every later wake-up until -2; after -2 the handle is gone and must not
   * be touched again. On a silent interface that can take until the next packet: `waakhond run`
   * exits on its own once the store is flushed (daemon.ts exitGuard).
   */
  private release(): void {
    if (this.released) return;
    if (!this.breakSent) {
      this.breakSent = true;
      try {
        this.session.close();
      } catch {
        this.released = true; // already closed
        return;
      }
    }
    const inner = this.session.session;
    for (let i = 0; i < 64; i++) {
      let n: number;
      try {
        n = inner.dispatch(this.session.buf, this.session.header);
      } catch {
        this.released = true;
        return;
      }
      if (n === -2) {
        this.released = true;
        return;
      }
      if (n <= 0) return; // nothing ready: the next wake-up brings the packet that ends it
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Frame[]> {
    try {
      for (;;) {
        if (this.batch.length > 0) {
          const out = this.batch;
          this.batch = [];
          yield out;
          continue;
        }
        if (this.closed) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      this.close();
    }
  }
}

/** Open a live session with the addon; permission failures become the CAP_NET_RAW message. */
export function openPcapLive(mod: PcapModule, o: { iface: string; filter?: string; snaplen: number; promisc: boolean }): PcapLiveSource {
  let session: PcapSession;
  // libpcap warnings (e.g. "SIOCGIFADDR: No such device") go into the error message, not to stderr.
  const warnings: string[] = [];
  mod.warningHandler = (msg: string) => {
    if (warnings.length < 5) warnings.push(String(msg));
  };
  try {
    session = mod.createSession(o.iface, { filter: o.filter ?? '', snap_length: o.snaplen, buffer_size: 8 << 20, buffer_timeout: 100, promiscuous: o.promisc });
  } catch (err) {
    const msg = [err instanceof Error ? err.message : String(err), ...warnings].join('; ');
    if (isPermissionError(msg) || hasCapNetRaw() === false) throw capNetRawError('pcap', msg);
    throw new Error(`cannot capture on ${o.iface} (pcap: ${msg})`);
  }
  return new PcapLiveSource(session, o.iface);
}
