// Per-device traffic counters over fixed intervals of capture time, emitted as TrafficEvents:
// floods and sweeps are detected from these without the rule engine seeing every packet.
import type { TrafficEvent } from './events.js';
import { ipv4ToString } from './decode/format.js';

/** Distinct counting is exact up to this many values per device and interval, then saturates. */
export const DISTINCT_CAP = 1024;
/** Slots per distinct set in a device's recent-values filter (a power of two). */
const RECENT = 16;

class Counters {
  mac = -1;
  /** IPv4 address (as a number) of the device's last counted packet in this interval; -1 none (IPv6). */
  ip4 = -1;
  out_pkts = 0;
  out_bytes = 0;
  out_tcp_syn = 0;
  out_tcp_ack_only = 0;
  out_udp = 0;
  out_udp_512 = 0;
  out_gre = 0;
  out_icmp_echo = 0;
  out_udp_vse = 0;
  readonly vseDst = new Set<number>();
  readonly outDst = new Set<number>();
  readonly outDport = new Set<number>();
  in_pkts = 0;
  in_bytes = 0;
  in_tcp_syn = 0;
  in_udp = 0;
  readonly inSrc = new Set<number>();
  /** Intervals in a row with no packets: idle entries are dropped to keep the table small. */
  idle = 0;
  /**
   * Values recently added to the distinct sets, in small direct-mapped tables (slot = low bits of the
   * value): the packets of a few interleaved flows repeat the same addresses and ports, and a typed-array
   * compare is cheaper than Set.add. A miss just adds to the Set, so counts are exact either way.
   */
  private readonly recent = new Float64Array(3 * RECENT).fill(-1);

  addOutDst(v: number): void {
    const i = (v ^ (v >>> 8)) & (RECENT - 1);
    if (this.recent[i] === v) return;
    this.recent[i] = v;
    if (this.outDst.size < DISTINCT_CAP) this.outDst.add(v);
  }

  addOutDport(v: number): void {
    const i = RECENT + (v & (RECENT - 1));
    if (this.recent[i] === v) return;
    this.recent[i] = v;
    if (this.outDport.size < DISTINCT_CAP) this.outDport.add(v);
  }

  addInSrc(v: number): void {
    const i = 2 * RECENT + ((v ^ (v >>> 8)) & (RECENT - 1));
    if (this.recent[i] === v) return;
    this.recent[i] = v;
    if (this.inSrc.size < DISTINCT_CAP) this.inSrc.add(v);
  }

  clear(): void {
    this.out_pkts = this.out_bytes = this.out_tcp_syn = this.out_tcp_ack_only = this.out_udp = 0;
    this.out_udp_512 = this.out_gre = this.out_icmp_echo = this.out_udp_vse = 0;
    // Set.clear() allocates a new table even for an empty set: only the used ones are cleared.
    if (this.vseDst.size !== 0) this.vseDst.clear();
    this.in_pkts = this.in_bytes = this.in_tcp_syn = this.in_udp = 0;
    if (this.outDst.size !== 0) this.outDst.clear();
    if (this.outDport.size !== 0) this.outDport.clear();
    if (this.inSrc.size !== 0) this.inSrc.clear();
    this.recent.fill(-1);
  }
}

export class TrafficCounters {
  private readonly table = new Map<number, Counters>();
  /** The last two entries looked up (a packet's sender and receiver): runs of one flow skip the Map. */
  private lastKeyA = -1;
  private lastA: Counters | null = null;
  private lastKeyB = -1;
  private lastB: Counters | null = null;
  private start = -1;
  /** Devices not counted because the table was full. */
  overflow = 0;

  constructor(
    private readonly emit: (e: TrafficEvent) => void,
    private readonly macText: (mac: number) => string,
    readonly interval = 1_000_000,
    readonly maxDevices = 4096,
    /** IPv4 text; the pipeline gives its cache: a device's address every second was a new string each time. */
    private readonly ipText: (ip: number) => string = ipv4ToString,
  ) {}

  get full(): boolean {
    return this.table.size >= this.maxDevices;
  }

  /** Call before counting a packet at ts: closes the interval(s) that ended. */
  advance(ts: number): void {
    if (this.start < 0) {
      this.start = Math.floor(ts / this.interval) * this.interval;
      return;
    }
    if (ts >= this.start + this.interval) {
      this.flush();
      this.start = Math.floor(ts / this.interval) * this.interval;
    }
  }

  /** The counters of a local device: key is the MAC (48-bit) or, without a link layer, 2^49 + IPv4. */
  get(key: number, mac: number): Counters | null {
    if (key === this.lastKeyA) return this.lastA;
    if (key === this.lastKeyB) return this.lastB;
    let c = this.table.get(key);
    if (c === undefined) {
      if (this.table.size >= this.maxDevices) {
        this.overflow++;
        return null;
      }
      c = new Counters();
      c.mac = mac;
      this.table.set(key, c);
    }
    this.lastKeyB = this.lastKeyA;
    this.lastB = this.lastA;
    this.lastKeyA = key;
    this.lastA = c;
    return c;
  }

  /** Emits one event per device active in the interval that just ended. */
  flush(): void {
    if (this.start < 0) return;
    // Entries may be dropped below: forget the cached ones.
    this.lastKeyA = this.lastKeyB = -1;
    this.lastA = this.lastB = null;
    for (const [key, c] of this.table) {
      if (c.out_pkts === 0 && c.in_pkts === 0) {
        if (++c.idle > 60) this.table.delete(key);
        continue;
      }
      c.idle = 0;
      this.emit({
        type: 'traffic',
        ts: this.start,
        interval: this.interval,
        mac: c.mac >= 0 ? this.macText(c.mac) : null,
        ip: c.ip4 >= 0 ? this.ipText(c.ip4) : null,
        out_pkts: c.out_pkts,
        out_bytes: c.out_bytes,
        out_tcp_syn: c.out_tcp_syn,
        out_tcp_ack_only: c.out_tcp_ack_only,
        out_udp: c.out_udp,
        out_udp_512: c.out_udp_512,
        out_gre: c.out_gre,
        out_icmp_echo: c.out_icmp_echo,
        out_udp_vse: c.out_udp_vse,
        out_udp_vse_dst: c.vseDst.size,
        out_distinct_dst: c.outDst.size,
        out_distinct_dport: c.outDport.size,
        in_pkts: c.in_pkts,
        in_bytes: c.in_bytes,
        in_tcp_syn: c.in_tcp_syn,
        in_udp: c.in_udp,
        in_distinct_src: c.inSrc.size,
      });
      c.clear();
    }
  }
}

export type { Counters };
