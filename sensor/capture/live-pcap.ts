// Live capture through the optional native `pcap` addon (libpcap): BPF filter in the kernel, frames
// copied out of libpcap's ring into the pending batch's buffer, kernel drop counters from pcap_stats().
import { endianness } from 'node:os';
import type { FrameSource, SourceStats } from './frame.js';
import { emptyBatch, FrameBatch, newSourceStats } from './frame.js';
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

/** Frames are copied into slabs this big; batches follow one another in a slab until it is full. */
const SLAB = 1 << 20;
/**
 * Kernel ring (libpcap buffer) by default, chosen on `npm run bench -- --live` (veth + tcpreplay, a
 * 3 s Mirai-style SYN burst at 40 k/s, pipeline + rules, busy shared machine): 8 MiB lost 2.9%,
 * 16 MiB and 32 MiB nothing, at 193 and 267 MB peak RSS against 181 MB. Batch wake-ups (100 ms
 * timeout), not immediate mode: immediate lost 94% on the same burst (one wake-up and one batch per
 * packet), tcpdump --immediate-mode 39%. A ring is memory the kernel pins: a small router sets
 * less, a busy link more (`capture.buffer_size`, `--buffer-size`).
 */
export const DEFAULT_BUFFER_SIZE = 16 << 20;
/**
 * Frames held for a consumer that is not keeping up: as many as the ring can hold (one read drains
 * it, node_pcap's dispatch loops until it is empty), at least 64 k, and no more bytes than the ring
 * (bufferSize/64 frames of full-size packets would be 24 times the ring: an overloaded daemon grew
 * to 330 MB resident on the corpus mix); beyond this they are dropped and counted, never silently.
 */
const MIN_QUEUED = 1 << 16;
/** Wall-clock milliseconds between pcap_stats() reads while packets flow (it reads /proc: not per batch). */
const STATS_EVERY_MS = 100;
const LE = endianness() === 'LE';

export class PcapLiveSource implements FrameSource {
  readonly name: string;
  readonly stats: SourceStats = newSourceStats();
  readonly backend = 'pcap';
  /**
   * The slab frames are copied into: the pending batch's bytes are slab[batchStart .. slabOff), the
   * batches handed on before it lie in front of them (left alone: the consumer may still read them).
   */
  private slab = new Uint8Array(SLAB);
  private slabOff = 0;
  private batchStart = 0;
  /** Frames read and not yet handed on. */
  private batch = new FrameBatch(this.slab, 64);
  private wake: (() => void) | null = null;
  private closed = false;
  /** pcap_breakloop() was called (node_pcap's close()). */
  private breakSent = false;
  /** libpcap answered the break with -2: the poll handle is stopped and the pcap handle closed. */
  private released = false;
  /** Frames the userland queue refused (consumer too slow and the queue at its bound). */
  private queueDrops = 0;
  /** Kernel drops (ps_drop + ps_ifdrop) summed from 32-bit deltas, so a wrapping counter keeps counting. */
  private kernelDrops = 0;
  /** Frames that were in the ring when the capture stopped: received by the socket, never read. */
  private lostAtStop = 0;
  /** Frames read out of the ring (queued or refused). */
  private read = 0;
  private lastRaw = { recv: 0, drop: 0, ifdrop: 0 };
  private recv = 0;
  private socketDrops = 0;
  private lastStatsMs = 0;
  /** stats.dropped when the consumer was last given an empty batch to hand the drop count on. */
  private newsAt = 0;
  private readonly maxQueued: number;
  private readonly maxQueuedBytes: number;
  private timer: NodeJS.Timeout;
  private readonly linktype: number;

  constructor(private readonly session: PcapSession, iface: string, bufferSize = DEFAULT_BUFFER_SIZE) {
    this.maxQueued = Math.max(MIN_QUEUED, Math.floor(bufferSize / 64));
    this.maxQueuedBytes = bufferSize;
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
    this.read++;
    if (this.lostAtStop > 0) {
      // Read after the final count after all (a dispatch while closing): delivered, so not lost.
      this.lostAtStop--;
      this.stats.dropped = this.kernelDrops + this.queueDrops + this.lostAtStop;
    }
    if (this.batch.length >= this.maxQueued || this.slabOff - this.batchStart + caplen > this.maxQueuedBytes) {
      // Counted the moment it happens: the loss is in stats.dropped before the next batch is handed on.
      this.queueDrops++;
      this.stats.dropped = this.kernelDrops + this.queueDrops + this.lostAtStop;
      return;
    }
    // libpcap's buffer is reused for the next packet: copy it into the slab. A batch's frames must be
    // in one buffer: when the slab is full, the pending batch's bytes move to a new slab with it.
    const b = this.batch;
    if (this.slabOff + caplen > this.slab.length) {
      const have = this.slabOff - this.batchStart;
      const fresh = new Uint8Array(Math.max(SLAB, 2 * (have + caplen)));
      fresh.set(this.slab.subarray(this.batchStart, this.slabOff), 0);
      for (let i = 0; i < b.length; i++) b.off[i] -= this.batchStart;
      this.slab = fresh;
      this.slabOff = have;
      this.batchStart = 0;
      b.data = fresh;
    }
    const at = this.slabOff;
    this.session.buf.copy(this.slab, at, 0, caplen); // no view per packet
    this.slabOff = at + caplen;
    b.add(at, caplen, len, sec * 1e6 + usec, this.linktype, 0);
    this.stats.frames++;
    this.stats.bytes += len;
    if (this.wake !== null) {
      const w = this.wake;
      this.wake = null;
      w();
    }
  }

  /**
   * Reads libpcap's counters. `final` (the capture is stopping): frames the socket received that
   * were neither dropped by the kernel nor read are still in the ring and about to be lost with it;
   * they are counted as dropped too. (ps_recv counts every frame that passed the filter, dropped ones
   * included: af_packet adds tp_drops to tp_packets.)
   */
  private readDrops(final = false): void {
    if (this.closed) return;
    this.lastStatsMs = Date.now();
    try {
      const s = this.session.stats();
      const l = this.lastRaw;
      const sockDrops = (s.ps_drop - l.drop) >>> 0;
      this.socketDrops += sockDrops;
      this.kernelDrops += sockDrops + ((s.ps_ifdrop - l.ifdrop) >>> 0);
      this.recv += (s.ps_recv - l.recv) >>> 0;
      this.lastRaw = { recv: s.ps_recv >>> 0, drop: s.ps_drop >>> 0, ifdrop: s.ps_ifdrop >>> 0 };
      // ps_ifdrop (the interface's own drops) never reached the socket: not part of ps_recv.
      if (final) this.lostAtStop = Math.max(0, this.recv - this.socketDrops - this.read);
    } catch {
      // a closed handle: keep the last figure
    }
    this.stats.dropped = this.kernelDrops + this.queueDrops + this.lostAtStop;
    if (this.stats.dropped > this.newsAt && this.batch.length === 0 && this.wake !== null) {
      // No packet is coming to carry the news (the loss was the last burst): wake the consumer with none.
      const w = this.wake;
      this.wake = null;
      w();
    }
  }

  close(): void {
    if (this.closed) return;
    this.readDrops(true);
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

  async *[Symbol.asyncIterator](): AsyncIterator<FrameBatch> {
    try {
      for (;;) {
        if (this.batch.length > 0) {
          // Kernel drops reach stats.dropped (sensor_stats, /metrics) within STATS_EVERY_MS while packets flow.
          if (Date.now() - this.lastStatsMs >= STATS_EVERY_MS) this.readDrops();
          const out = this.batch;
          // The next batch goes on in the same slab; its arrays start as big as this one's (bursts come in runs).
          this.batchStart = this.slabOff;
          this.batch = new FrameBatch(this.slab, Math.max(16, Math.min(out.length, this.maxQueued)));
          yield out;
          continue;
        }
        if (this.closed) return;
        if ((this.stats.dropped ?? 0) > this.newsAt) {
          // Drops not yet handed on with an empty batch: the consumer reports them even if no packet follows.
          this.newsAt = this.stats.dropped ?? 0;
          yield emptyBatch();
          continue;
        }
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
export function openPcapLive(mod: PcapModule, o: { iface: string; filter?: string; snaplen: number; promisc: boolean; bufferSize?: number; immediate?: boolean }): PcapLiveSource {
  const bufferSize = o.bufferSize ?? DEFAULT_BUFFER_SIZE;
  let session: PcapSession;
  // libpcap warnings (e.g. "SIOCGIFADDR: No such device") go into the error message, not to stderr.
  const warnings: string[] = [];
  mod.warningHandler = (msg: string) => {
    if (warnings.length < 5) warnings.push(String(msg));
  };
  try {
    session = mod.createSession(o.iface, { filter: o.filter ?? '', snap_length: o.snaplen, buffer_size: bufferSize,
      // node_pcap: a timeout <= 0 selects immediate mode (each packet wakes the reader); else batch wake-ups at most this far apart.
      buffer_timeout: o.immediate ? 0 : 100, promiscuous: o.promisc });
  } catch (err) {
    const msg = [err instanceof Error ? err.message : String(err), ...warnings].join('; ');
    if (isPermissionError(msg) || hasCapNetRaw() === false) throw capNetRawError('pcap', msg);
    throw new Error(`cannot capture on ${o.iface} (pcap: ${msg})`);
  }
  return new PcapLiveSource(session, o.iface, bufferSize);
}
