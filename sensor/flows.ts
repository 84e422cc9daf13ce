// The bounded flow table: 5-tuple -> TCP state, packets and bytes each way, with idle timeouts,
// a hard cap with eviction of the least recently active flow, and counters for both.
//
// Struct-of-arrays in typed arrays so that memory is fixed at construction (a spoofed flood cannot
// grow it) and the per-packet path allocates nothing. Lookup is an open-addressing hash over a
// direction-independent hash of the two endpoints.
import { IPPROTO_TCP, IPPROTO_UDP, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Packet } from './decode/packet.js';
import type { ConnState } from './events.js';
import { fmix32 } from './hash.js';

export interface FlowTableOptions {
  /** Maximum concurrent flows (memory is ~150 bytes per slot, allocated up front). */
  capacity?: number;
  /** Idle timeouts in microseconds. Zeek defaults: TCP 5 min, UDP 1 min. */
  tcpIdle?: number;
  otherIdle?: number;
  /** How long a closed TCP flow lingers to absorb its last ACKs and retransmissions. */
  closedLinger?: number;
  /**
   * Idle timeout of a TCP attempt: a flow whose originator has sent only SYNs and got no answer.
   * Default 40 s: longer than the widest gap between a SYN and its retransmission on common stacks
   * (Linux: initial RTO 1 s doubled per retry, tcp_syn_retries 6 -> gaps 1, 2, 4, 8, 16, 32 s;
   * RFC 6298 5.5), so one attempt stays one flow, and far shorter than the 5 min TCP idle timeout, so
   * a bot retrying a dead C2 server is reported within a minute of each attempt, not five.
   */
  attemptIdle?: number;
}

export type FlowEndReason = 'closed' | 'idle' | 'evicted' | 'end';

/** Called when a flow ends; read its fields through the table's accessors before returning. */
export type FlowEndHandler = (flow: number, reason: FlowEndReason) => void;

const LIST_TCP = 0;
const LIST_OTHER = 1;
const LIST_CLOSED = 2;
/** TCP flows whose originator has only sent SYNs, unanswered so far: they expire after attemptIdle. */
const LIST_ATTEMPT = 3;
const LISTS = 4;

const STATUS_FREE = 0;
const STATUS_ACTIVE = 1;
const STATUS_CLOSED = 2;


export class FlowTable {
  readonly capacity: number;
  private readonly idle: number[];
  /** Flows evicted because the table was full. */
  evicted = 0;
  /** Flows that ended by idle timeout. */
  expired = 0;
  active = 0;

  // Per-flow fields.
  readonly status: Uint8Array;
  readonly proto: Uint8Array;
  readonly family: Uint8Array;
  /** Originator and responder addresses, 4 words each (IPv4 in word 0). */
  readonly origAddr: Uint32Array;
  readonly respAddr: Uint32Array;
  readonly origPort: Uint16Array;
  readonly respPort: Uint16Array;
  readonly origMac: Float64Array;
  readonly respMac: Float64Array;
  readonly firstTs: Float64Array;
  readonly lastTs: Float64Array;
  readonly origPkts: Uint32Array;
  readonly respPkts: Uint32Array;
  readonly origBytes: Float64Array;
  readonly respBytes: Float64Array;
  /** OR of TCP flags sent by each side. */
  readonly origFlags: Uint8Array;
  readonly respFlags: Uint8Array;
  /** Number of payload-carrying packets from each side (saturates at 255): decides app parsing. */
  readonly origSegs: Uint8Array;
  readonly respSegs: Uint8Array;
  /** Free for the pipeline: which application parser claimed the flow. */
  readonly app: Uint8Array;
  /** Bytes of the responder's stream its room declared opaque (a response body of known length): the
   *  pipeline passes segments that lie wholly inside them without slicing the payload or calling the room. */
  readonly respSkip: Float64Array;
  /** Each flow's hash as int32 (see key). */
  private readonly hash: Int32Array;
  private readonly list: Uint8Array;
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly heads = [-1, -1, -1, -1];
  private readonly tails = [-1, -1, -1, -1];
  private readonly buckets: Int32Array;
  private readonly bucketMask: number;
  /** Released flows, reused last-in first-out before a never-used one. */
  private freeTop = 0;
  private readonly freeStack: Int32Array;
  /** Flows below this index have been used; the rest have never been (their pages never touched). */
  private fresh = 0;

  // Scratch for the packet being looked up.
  /** The packet's addresses as int32 (IPv4 in [0], IPv6 in [0..3]; destination from [4]), and int32
   *  views of origAddr/respAddr: compares of int32 values stay in integer registers, while uint32 values
   *  above 2^31 (every 192.168.x.x address) are doubles to V8. */
  private readonly key = new Int32Array(8);
  private readonly origI: Int32Array;
  private readonly respI: Int32Array;

  onEnd: FlowEndHandler | null = null;

  constructor(opts: FlowTableOptions = {}) {
    const cap = Math.max(16, Math.floor(opts.capacity ?? 65536));
    this.capacity = cap;
    this.idle = [opts.tcpIdle ?? 300e6, opts.otherIdle ?? 60e6, opts.closedLinger ?? 5e6, opts.attemptIdle ?? 40e6];
    this.status = new Uint8Array(cap);
    this.proto = new Uint8Array(cap);
    this.family = new Uint8Array(cap);
    this.origAddr = new Uint32Array(cap * 4);
    this.respAddr = new Uint32Array(cap * 4);
    this.origI = new Int32Array(this.origAddr.buffer);
    this.respI = new Int32Array(this.respAddr.buffer);
    this.origPort = new Uint16Array(cap);
    this.respPort = new Uint16Array(cap);
    this.origMac = new Float64Array(cap);
    this.respMac = new Float64Array(cap);
    this.firstTs = new Float64Array(cap);
    this.lastTs = new Float64Array(cap);
    this.origPkts = new Uint32Array(cap);
    this.respPkts = new Uint32Array(cap);
    this.origBytes = new Float64Array(cap);
    this.respBytes = new Float64Array(cap);
    this.origFlags = new Uint8Array(cap);
    this.respFlags = new Uint8Array(cap);
    this.origSegs = new Uint8Array(cap);
    this.respSegs = new Uint8Array(cap);
    this.app = new Uint8Array(cap);
    this.respSkip = new Float64Array(cap);
    this.hash = new Int32Array(cap);
    this.list = new Uint8Array(cap);
    this.prev = new Int32Array(cap);
    this.next = new Int32Array(cap);
    let nb = 1;
    while (nb < cap * 2) nb <<= 1;
    // Buckets hold flow + 1, 0 for empty, and the free list starts empty (flows are handed out from
    // `fresh` upwards): zeroed typed arrays are pages the kernel maps only when written, so a home's few
    // hundred flows leave the rest of the table unresident (a -1 fill touched 0.75 MB at every start).
    this.buckets = new Int32Array(nb);
    this.bucketMask = nb - 1;
    this.freeStack = new Int32Array(cap);
  }

  /**
   * Finds or creates the flow of a decoded TCP/UDP/ICMP/other IP packet and counts it.
   * Returns flow+1 if the packet is from the originator, -(flow+1) if from the responder.
   */
  update(p: Packet): number {
    const key = this.key;
    const b = p.data;
    let family: number;
    if (p.ipVersion === 4) {
      family = 4;
      key[0] = p.ip4Src; key[1] = 0; key[2] = 0; key[3] = 0;
      key[4] = p.ip4Dst; key[5] = 0; key[6] = 0; key[7] = 0;
    } else {
      family = 6;
      for (let w = 0; w < 4; w++) {
        const s = p.ip6SrcOff + 4 * w;
        const d = p.ip6DstOff + 4 * w;
        key[w] = (b[s] << 24) | (b[s + 1] << 16) | (b[s + 2] << 8) | b[s + 3];
        key[4 + w] = (b[d] << 24) | (b[d + 1] << 16) | (b[d + 2] << 8) | b[d + 3];
      }
    }
    const proto = p.ipProto;
    const hasPorts = proto === IPPROTO_TCP || proto === IPPROTO_UDP;
    const sport = hasPorts ? p.srcPort : 0;
    const dport = hasPorts ? p.dstPort : 0;
    // Direction-independent: the sum of the two endpoint hashes.
    const hs = fmix32(key[0] ^ Math.imul(key[1], 0x9e3779b1) ^ Math.imul(key[2], 0x7feb352d) ^ Math.imul(key[3], 0x846ca68b) ^ (sport * 0x10001));
    const hd = fmix32(key[4] ^ Math.imul(key[5], 0x9e3779b1) ^ Math.imul(key[6], 0x7feb352d) ^ Math.imul(key[7], 0x846ca68b) ^ (dport * 0x10001));
    const h = fmix32((hs + hd + proto) >>> 0) | 0;

    let slot = h & this.bucketMask;
    let flow = -1;
    let fromOrig = true;
    for (;;) {
      const f = this.buckets[slot] - 1;
      if (f < 0) break;
      if (this.hash[f] === h && this.proto[f] === proto && this.family[f] === family) {
        const o = f * 4;
        if (this.origPort[f] === sport && this.respPort[f] === dport &&
            this.origI[o] === key[0] && this.origI[o + 1] === key[1] && this.origI[o + 2] === key[2] && this.origI[o + 3] === key[3] &&
            this.respI[o] === key[4] && this.respI[o + 1] === key[5] && this.respI[o + 2] === key[6] && this.respI[o + 3] === key[7]) {
          flow = f;
          break;
        }
        if (this.origPort[f] === dport && this.respPort[f] === sport &&
            this.origI[o] === key[4] && this.origI[o + 1] === key[5] && this.origI[o + 2] === key[6] && this.origI[o + 3] === key[7] &&
            this.respI[o] === key[0] && this.respI[o + 1] === key[1] && this.respI[o + 2] === key[2] && this.respI[o + 3] === key[3]) {
          flow = f;
          fromOrig = false;
          break;
        }
      }
      slot = (slot + 1) & this.bucketMask;
    }

    const flags = proto === IPPROTO_TCP ? p.tcpFlags : 0;
    if (flow >= 0 && this.status[flow] === STATUS_CLOSED && fromOrig && (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      // Port reuse: a fresh SYN on a closed flow starts a new connection in the same slot.
      this.resetCounters(flow, p.ts);
      this.status[flow] = STATUS_ACTIVE;
      this.active++;
      this.moveTo(flow, LIST_ATTEMPT);
    }
    if (flow < 0) {
      flow = this.allocate(p.ts);
      // A SYN-ACK as the first packet means we missed the SYN: the sender is the responder (Zeek does the same flip).
      const flip = proto === IPPROTO_TCP && (flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
      const o = flow * 4;
      const a = flip ? 4 : 0;
      const c = flip ? 0 : 4;
      this.origI[o] = key[a]; this.origI[o + 1] = key[a + 1]; this.origI[o + 2] = key[a + 2]; this.origI[o + 3] = key[a + 3];
      this.respI[o] = key[c]; this.respI[o + 1] = key[c + 1]; this.respI[o + 2] = key[c + 2]; this.respI[o + 3] = key[c + 3];
      this.origPort[flow] = flip ? dport : sport;
      this.respPort[flow] = flip ? sport : dport;
      this.origMac[flow] = flip ? p.dstMac : p.srcMac;
      this.respMac[flow] = flip ? p.srcMac : p.dstMac;
      this.proto[flow] = proto;
      this.family[flow] = family;
      this.hash[flow] = h;
      this.buckets[slot] = flow + 1;
      fromOrig = !flip;
      const attempt = proto === IPPROTO_TCP && !flip && (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
      this.link(flow, proto !== IPPROTO_TCP ? LIST_OTHER : attempt ? LIST_ATTEMPT : LIST_TCP);
    } else if (this.list[flow] === LIST_ATTEMPT && (!fromOrig || (flags & (TCP_SYN | TCP_ACK)) !== TCP_SYN)) {
      // An answer (or anything but another SYN from the originator): a connection, no longer an attempt.
      this.moveTo(flow, LIST_TCP);
    } else {
      this.touch(flow);
    }

    this.lastTs[flow] = p.ts;
    const payload = p.payloadLen > 0 ? p.payloadLen : 0;
    if (fromOrig) {
      this.origPkts[flow]++;
      this.origBytes[flow] += payload;
      this.origFlags[flow] |= flags;
      if (payload > 0 && this.origSegs[flow] < 255) this.origSegs[flow]++;
    } else {
      this.respPkts[flow]++;
      this.respBytes[flow] += payload;
      this.respFlags[flow] |= flags;
      if (payload > 0 && this.respSegs[flow] < 255) this.respSegs[flow]++;
    }

    if (proto === IPPROTO_TCP && this.status[flow] === STATUS_ACTIVE) {
      const of = this.origFlags[flow];
      const rf = this.respFlags[flow];
      // RFC 9293 3.5: either side's RST ends the connection; FINs from both sides close it.
      if ((flags & TCP_RST) !== 0 || ((of & TCP_FIN) !== 0 && (rf & TCP_FIN) !== 0)) {
        this.onEnd?.(flow, 'closed');
        this.status[flow] = STATUS_CLOSED;
        this.active--;
        this.moveTo(flow, LIST_CLOSED);
      }
    }
    return fromOrig ? flow + 1 : -(flow + 1);
  }

  /** Ends flows idle at capture time `now` (microseconds). Cheap: walks only the expired tails. */
  expire(now: number): void {
    for (let l = 0; l < LISTS; l++) {
      const limit = now - this.idle[l];
      let f = this.tails[l];
      while (f >= 0 && this.lastTs[f] < limit) {
        const before = this.prev[f];
        if (this.status[f] === STATUS_ACTIVE) {
          this.expired++;
          this.onEnd?.(f, 'idle');
          this.active--;
        }
        this.release(f);
        f = before;
      }
    }
  }

  /** Ends every flow (end of capture), oldest first. */
  drain(): void {
    for (let l = 0; l < LISTS; l++) {
      while (this.tails[l] >= 0) {
        const f = this.tails[l];
        if (this.status[f] === STATUS_ACTIVE) {
          this.onEnd?.(f, 'end');
          this.active--;
        }
        this.release(f);
      }
    }
  }

  /** Zeek-style connection state from the flags each side sent. */
  connState(f: number): ConnState {
    const proto = this.proto[f];
    if (proto !== IPPROTO_TCP) return this.respPkts[f] > 0 ? 'SF' : 'S0';
    const of = this.origFlags[f];
    const rf = this.respFlags[f];
    if ((of & TCP_SYN) === 0) return 'OTH';
    const synAck = (rf & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
    if (!synAck) {
      if ((rf & TCP_RST) !== 0) return 'REJ';
      if ((of & TCP_FIN) !== 0) return 'SH';
      return this.respPkts[f] === 0 ? 'S0' : 'OTH';
    }
    if ((of & TCP_RST) !== 0) return 'RSTO';
    if ((rf & TCP_RST) !== 0) return 'RSTR';
    if ((of & TCP_FIN) !== 0 && (rf & TCP_FIN) !== 0) return 'SF';
    return 'S1';
  }

  isClosed(f: number): boolean {
    return this.status[f] === STATUS_CLOSED;
  }

  private allocate(ts: number): number {
    if (this.freeTop === 0 && this.fresh === this.capacity) {
      // Full: evict the least recently active flow (closed ones first, then UDP/other, then TCP).
      let victim = this.tails[LIST_CLOSED];
      if (victim < 0) {
        const t = this.tails[LIST_TCP];
        const o = this.tails[LIST_OTHER];
        const a = this.tails[LIST_ATTEMPT];
        victim = t < 0 ? o : o < 0 ? t : this.lastTs[o] <= this.lastTs[t] ? o : t;
        if (a >= 0 && (victim < 0 || this.lastTs[a] <= this.lastTs[victim])) victim = a;
      }
      if (this.status[victim] === STATUS_ACTIVE) {
        this.evicted++;
        this.onEnd?.(victim, 'evicted');
        this.active--;
      }
      this.release(victim);
    }
    const f = this.freeTop > 0 ? this.freeStack[--this.freeTop] : this.fresh++;
    this.status[f] = STATUS_ACTIVE;
    this.active++;
    this.resetCounters(f, ts);
    return f;
  }

  private resetCounters(f: number, ts: number): void {
    this.firstTs[f] = ts;
    this.lastTs[f] = ts;
    this.origPkts[f] = 0;
    this.respPkts[f] = 0;
    this.origBytes[f] = 0;
    this.respBytes[f] = 0;
    this.origFlags[f] = 0;
    this.respFlags[f] = 0;
    this.origSegs[f] = 0;
    this.respSegs[f] = 0;
    this.app[f] = 0;
    this.respSkip[f] = 0;
  }

  /** Removes f from the hash (backward-shift deletion keeps probe chains intact) and its list. */
  private release(f: number): void {
    const mask = this.bucketMask;
    let slot = this.hash[f] & mask;
    while (this.buckets[slot] !== f + 1) slot = (slot + 1) & mask;
    let hole = slot;
    let j = slot;
    for (;;) {
      j = (j + 1) & mask;
      const g = this.buckets[j] - 1;
      if (g < 0) break;
      const home = this.hash[g] & mask;
      // Move g into the hole if its home position is not cyclically within (hole, j].
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        this.buckets[hole] = g + 1;
        hole = j;
      }
    }
    this.buckets[hole] = 0;
    this.unlink(f);
    this.status[f] = STATUS_FREE;
    this.freeStack[this.freeTop++] = f;
  }

  private link(f: number, l: number): void {
    this.list[f] = l;
    this.prev[f] = -1;
    this.next[f] = this.heads[l];
    if (this.heads[l] >= 0) this.prev[this.heads[l]] = f;
    this.heads[l] = f;
    if (this.tails[l] < 0) this.tails[l] = f;
  }

  private unlink(f: number): void {
    const l = this.list[f];
    const p = this.prev[f];
    const n = this.next[f];
    if (p >= 0) this.next[p] = n; else this.heads[l] = n;
    if (n >= 0) this.prev[n] = p; else this.tails[l] = p;
  }

  private touch(f: number): void {
    if (this.heads[this.list[f]] === f) return;
    const l = this.list[f];
    this.unlink(f);
    this.link(f, l);
  }

  private moveTo(f: number, l: number): void {
    this.unlink(f);
    this.link(f, l);
  }
}
