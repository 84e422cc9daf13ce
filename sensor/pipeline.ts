// The sensor pipeline: frames -> decode -> flows, protocol parsers and traffic counters -> events.
// Everything downstream (inventory, rules, store, exports) consumes only the events it emits.
import { FrameBatch, type Frame } from './capture/frame.js';
import { DEFAULT_LOCAL_NETS, LocalNets } from './addr.js';
import { decodeFrameAt } from './decode/dispatch.js';
import { ETHERTYPE_ARP } from './decode/ethernet.js';
import { isGroupMac, ipv4ToString, ipv6ToString, macToString, TextCache } from './decode/format.js';
import { parseNdp } from './decode/ndp.js';
import {
  DECODE_MALFORMED, DECODE_OK, IPPROTO_GRE, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP,
  Packet, TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TUNNEL_ERSPAN, TUNNEL_GRE,
} from './decode/packet.js';
import type { Direction, EventSink, SensorStatsEvent, WaakhondEvent } from './events.js';
import { FlowTable, type FlowEndReason } from './flows.js';
import { ROOM_DONE, Rooms } from './protocols/registry.js';
import type { RoomHost } from './protocols/room.js';
import { TrafficCounters } from './traffic.js';
import { ScanHolds, type HeldSyn, type HeldSynListener, type HeldSynSink } from './scan-hold.js';
import { isPublicV4 } from '../rules/engine/addr.js';

export interface PipelineOptions {
  sinks: EventSink[];
  /** CIDRs of the home network (default: RFC 1918, link-local, ULA). */
  localNets?: readonly string[];
  /** Flow table capacity (default 65536 flows, ~10 MB). */
  maxFlows?: number;
  /** Traffic counter interval in microseconds (default 1 s). */
  trafficInterval?: number;
  /** Emit a sensor_stats event every this many microseconds of capture time (default 60 s). */
  statsInterval?: number;
  /** Learn the home's IPv6 prefixes from Router Advertisements (default: on unless localNets is given). */
  learnIpv6Prefixes?: boolean;
  /** Called once per distinct internal error (a parser or sink bug): the pipeline goes on. */
  onError?: (where: string, err: unknown) => void;
  /**
   * Who counts a held scanner's SYNs (the rule engine; sensor/scan-hold.ts). Without it no device is held
   * and every SYN becomes an event.
   */
  held?: HeldSynSink;
  /** Also told of held SYNs and datagrams (the connection log), since no event carries them. */
  onHeldSyn?: HeldSynListener;
}

export interface PipelineStats {
  packets: number;
  bytes: number;
  malformed: number;
  unsupported_link: number;
  ip_fragments: number;
  /** Packets decoded from inside a tunnel (decode/tunnel.ts), and those nested deeper than it unwraps. */
  tunneled: number;
  tunnel_too_deep: number;
  /** Protocol payloads a parser rejected (not an error: random data on a well-known port). */
  unparsed: number;
  /** Unanswered TCP attempts from outside not reported one by one (see flowEnded). */
  unanswered_inbound: number;
  /**
   * Flows ended early because the flow table was full (its least recently active flow makes room).
   * A scan's one-SYN attempts end this way once it has made `maxFlows` of them: the table stays at
   * its bound and each attempt is still reported (a conn event with reason 'evicted').
   */
  flows_evicted: number;
  /**
   * SYNs of held scanners counted straight into their alerts, and datagrams of held flooders no room
   * wanted (no flow, no event; sensor/scan-hold.ts). They are in `packets` and the traffic counters
   * like any other packet.
   */
  held_syns: number;
  held_datagrams: number;
  /** Internal errors caught (a parser threw, a sink threw). Should stay 0. */
  internal_errors: number;
  events: number;
  first_ts: number | null;
  last_ts: number | null;
}

const MAC_CACHE_MAX = 4096;
const IP4_CACHE_MAX = 8192;

export class Pipeline implements RoomHost {
  /**
   * Capture time of the first packet and the latest (times only move forward), NaN before any: kept
   * as plain numbers because a field that may hold null (stats.last_ts) boxes every new time it is
   * given, one heap number per packet for the GC. stats reads them.
   */
  private firstTs = NaN;
  private lastTs = NaN;
  readonly stats: PipelineStats = ((self: Pipeline) => ({
    packets: 0, bytes: 0, malformed: 0, unsupported_link: 0, ip_fragments: 0, unparsed: 0, unanswered_inbound: 0, flows_evicted: 0,
    tunneled: 0, tunnel_too_deep: 0, held_syns: 0, held_datagrams: 0, internal_errors: 0, events: 0,
    get first_ts(): number | null { return self.firstTs === self.firstTs ? self.firstTs : null; },
    get last_ts(): number | null { return self.lastTs === self.lastTs ? self.lastTs : null; },
  }))(this);
  readonly flows: FlowTable;
  private readonly traffic: TrafficCounters;
  private readonly local: LocalNets;
  private readonly sinks: EventSink[];
  readonly p = new Packet();
  private readonly macText = new TextCache(MAC_CACHE_MAX, macToString);
  private readonly ip4Text = new TextCache(IP4_CACHE_MAX, ipv4ToString);
  private readonly statsInterval: number;
  private nextStats = -1;
  private nextExpire = -1;
  private readonly reportedErrors = new Set<string>();
  /** The protocol rooms (sensor/protocols/registry.ts): who parses what, decided from their descriptors. */
  readonly rooms: Rooms;
  /** Whether the packet being processed comes from / goes to the home network. */
  private srcLocal = false;
  /** The rooms' drop counts at the last sensor_stats event. */
  private roomsDropped: Record<string, number> = {};
  private dstLocal = false;
  private readonly onError: (where: string, err: unknown) => void;
  private readonly learnPrefixes: boolean;
  /**
   * GRE a home device sends to the internet stays GRE: that traffic is the device's own behaviour
   * (Mirai's attack_gre_ip/attack_gre_eth floods, which mirai.flood.gre counts as out_gre; a PPTP
   * VPN client), and the frames inside a GRE flood are forged. ERSPAN is always a mirror session (to
   * a collector anywhere); it and every other tunnel (a GRE mirror to the sensor, VXLAN, 6in4 from a
   * home tunnel endpoint, replies coming in) are unwrapped.
   */
  private readonly keepTunnel = (p: Packet): boolean => {
    if ((p.innerKind & (TUNNEL_GRE | TUNNEL_ERSPAN)) !== TUNNEL_GRE) return false;
    return p.ipVersion === 4
      ? this.local.isLocal4(p.ip4Src) && !this.local.isLocal4(p.ip4Dst)
      : this.local.isLocal6(p.data, p.ip6SrcOff) && !this.local.isLocal6(p.data, p.ip6DstOff);
  };
  /**
   * Set by the capture source's owner as batches arrive: frames the source lost (kernel ring, libpcap,
   * its own queue). A rise is reported at once by an extra sensor_stats event (at most one a second
   * of capture time), so loss reaches health exports when it happens, not a minute later.
   */
  dropped: number | null = null;
  private reportedDropped: number | null = null;
  private lastStatsTs = -Infinity;
  /** Held scanners (null: no sink to count their SYNs); see sensor/scan-hold.ts. */
  private readonly holds: ScanHolds | null;
  /**
   * The last source MAC asked about the holds, whether it is held, and the same MAC as the number the
   * holds' Map is keyed by. A 48-bit MAC is no small integer: each Map lookup with p.srcMac boxed it
   * anew (twice per held SYN: 31 MB of garbage on a 1 M-SYN scan). A scan comes from one device, so the
   * last answer nearly always stands; hold() and expire() forget it. heldKey is typed unknown on purpose:
   * a field that only ever held numbers would be stored unboxed and boxed again at each call.
   */
  private heldMac = -1;
  private heldYes = false;
  private heldKey: unknown = null;
  private readonly heldSyn: HeldSyn = { ts: 0, srcIp: 0, srcPort: 0, dstIp: 0, dstPort: 0, seq: 0, window: 0, ttl: 0, optLen: 0, ecn: false };

  constructor(opts: PipelineOptions) {
    this.sinks = opts.sinks;
    this.local = new LocalNets(opts.localNets ?? DEFAULT_LOCAL_NETS);
    this.learnPrefixes = opts.learnIpv6Prefixes ?? opts.localNets === undefined;
    this.flows = new FlowTable({ capacity: opts.maxFlows ?? 65536 });
    this.flows.onEnd = (f, reason) => this.flowEnded(f, reason);
    this.traffic = new TrafficCounters((e) => this.emit(e), (m) => this.mac(m), opts.trafficInterval ?? 1_000_000, undefined, (ip) => this.ip4(ip));
    this.statsInterval = opts.statsInterval ?? 60_000_000;
    this.onError = opts.onError ?? ((where, err) => console.error(`waakhond: internal error in ${where}: ${String(err)}`));
    this.rooms = new Rooms(this);
    this.holds = opts.held ? new ScanHolds(opts.held, opts.onHeldSyn ?? null) : null;
  }

  /**
   * Hold a device known to scan (the rule engine's onHold): from now on its outbound SYNs to public
   * IPv4 addresses are handed to the held-SYN sink with this handle instead of becoming flows and events.
   */
  hold(mac: string, handle: unknown): void {
    this.holds?.hold(mac, handle, this.stats.last_ts ?? 0);
    this.heldMac = -1;
  }

  /**
   * Processes a batch of frames in order: a source's FrameBatch, or frames built by hand (tests,
   * tools: copied into a batch first). Never throws because of packet contents.
   */
  push(frames: FrameBatch | readonly Frame[]): void {
    this.pushBatch(frames instanceof FrameBatch ? frames : FrameBatch.fromFrames(frames));
  }

  /**
   * Processes a source's batch in order, or its frames start..end (the daemon hands a big batch over
   * in pieces, with turns of the event loop between): per frame no object and no view, only its
   * offsets into the batch's bytes.
   */
  pushBatch(b: FrameBatch, start = 0, end = b.length): void {
    const n = Math.min(end, b.length);
    // frame() reads the batch's arrays itself: a time passed as an argument to a call not inlined
    // is boxed, one heap number per packet (16 MB of garbage per million packets).
    for (let i = Math.max(0, start); i < n; i++) this.frame(b, i);
    if (b.length === 0) this.noFrames();
  }

  /**
   * An empty batch: a live source telling of new drops while no packet comes. Reported now
   * (the sources send one a second at most), stamped with the last capture time.
   */
  private noFrames(): void {
    if (this.stats.last_ts !== null && (this.dropped ?? 0) > (this.reportedDropped ?? 0)) {
      this.emit(this.statsEvent(this.stats.last_ts));
    }
  }

  /** End of capture: ends every flow, flushes the counters, emits final stats. */
  finish(): void {
    this.flows.drain();
    this.traffic.flush();
    if (this.stats.last_ts !== null) this.emit(this.statsEvent(this.stats.last_ts));
  }

  /** Live sources: lets idle flows expire and counters flush while no packets arrive. */
  tick(nowTs: number): void {
    if (this.stats.last_ts === null || nowTs < this.stats.last_ts) return;
    this.traffic.advance(nowTs);
    this.flows.expire(nowTs);
    if ((this.dropped ?? 0) > (this.reportedDropped ?? 0) && nowTs >= this.lastStatsTs + 1_000_000) this.emit(this.statsEvent(nowTs));
  }

  /** Frame i of the batch. */
  private frame(b: FrameBatch, i: number): void {
    const p = this.p;
    const st = this.stats;
    const data = b.data;
    const start = b.off[i];
    const end = start + b.caplen[i];
    const len = b.len[i];
    const ts = b.ts[i];
    st.packets++;
    st.bytes += len;
    // NaN (no packet yet) fails every comparison: the first packet sets both.
    if (!(this.firstTs === this.firstTs)) this.firstTs = ts;
    // Capture time only moves forward for timers (merged or reordered captures must not rewind them).
    if (!(ts <= this.lastTs)) this.lastTs = ts;
    const now = this.lastTs;
    if (now >= this.nextExpire) {
      if (this.nextExpire >= 0) this.flows.expire(now);
      if (this.holds !== null && this.holds.size !== 0) {
        this.holds.expire(now);
        this.heldMac = -1;
      }
      this.nextExpire = now + 1_000_000;
    }
    if (this.nextStats < 0) this.nextStats = now + this.statsInterval;
    else if (now >= this.nextStats || ((this.dropped ?? 0) > (this.reportedDropped ?? 0) && now >= this.lastStatsTs + 1_000_000)) {
      this.emit(this.statsEvent(now));
      this.nextStats = now + this.statsInterval;
    }
    this.traffic.advance(now);

    p.reset();
    p.data = data;
    p.ts = ts;
    p.wireLen = len;
    const r = decodeFrameAt(data, start, end, b.linktype[i], p, this.keepTunnel);
    if (p.tunnelDepth !== 0) {
      st.tunneled++;
      if (p.tunnelTooDeep) st.tunnel_too_deep++;
    }
    if (r !== DECODE_OK) {
      if (r === DECODE_MALFORMED) st.malformed++;
      else st.unsupported_link++;
      return;
    }
    if (p.etherType === ETHERTYPE_ARP) {
      this.arp();
      return;
    }
    if (p.ipVersion === 0) return;
    if (p.fragment) st.ip_fragments++;
    const srcLocal = p.ipVersion === 4 ? this.local.isLocal4(p.ip4Src) : this.local.isLocal6(p.data, p.ip6SrcOff);
    const dstLocal = p.ipVersion === 4 ? this.local.isLocal4(p.ip4Dst) : this.local.isLocal6(p.data, p.ip6DstOff);
    this.srcLocal = srcLocal;
    this.dstLocal = dstLocal;
    this.count(srcLocal, dstLocal, len);
    if (p.l4Off < 0) return; // non-first fragment: no transport header

    const proto = p.ipProto;
    if (proto === IPPROTO_TCP) this.tcp(srcLocal, dstLocal);
    else if (proto === IPPROTO_UDP) this.udp();
    else {
      this.flows.update(p);
      if (proto === IPPROTO_ICMPV6 && p.icmpType >= 133 && p.icmpType <= 136) this.ndp();
    }
  }

  private tcp(srcLocal: boolean, dstLocal: boolean): void {
    const p = this.p;
    const flags = p.tcpFlags;
    // A held scanner's SYN to the internet is counted into its alerts and the connection log: no flow, no event.
    if (this.holds !== null && this.holds.size !== 0 && (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && srcLocal && !dstLocal &&
        p.ipVersion === 4 && p.srcMac >= 0 && isPublicV4(p.ip4Dst) && this.isHeld(p.srcMac)) {
      const s = this.heldSyn;
      s.ts = p.ts; s.srcIp = p.ip4Src; s.srcPort = p.srcPort; s.dstIp = p.ip4Dst; s.dstPort = p.dstPort;
      s.seq = p.seq; s.window = p.window; s.ttl = p.ttl; s.optLen = p.tcpOptLen; s.ecn = (flags & (TCP_ECE | TCP_CWR)) !== 0;
      if (this.holds.syn(this.heldKey as number, s)) {
        this.stats.held_syns++;
        return;
      }
    }
    const fl = this.flows;
    const r = fl.update(p);
    const f = r > 0 ? r - 1 : -r - 1;
    const fromOrig = r > 0;
    if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      // SYNs from outside are summarised by the traffic counters (in_tcp_syn): a spoofed flood must not
      // become one event per packet. SYNs the home's devices send are what scan rules look at.
      if (srcLocal || !dstLocal) {
        const dst = p.ipVersion === 4 ? p.ip4Dst : -1;
        this.emit({
          type: 'tcp_syn', ts: p.ts,
          src_mac: this.srcMac(), dst_mac: this.dstMac(),
          src_ip: this.ipSrc(), dst_ip: this.ipDst(), direction: direction(srcLocal, dstLocal),
          src_port: p.srcPort, dst_port: p.dstPort, seq: p.seq, window: p.window, ttl: p.ttl,
          options_length: p.tcpOptLen,
          mirai_seq: dst >= 0 && p.seq === dst,
          ecn: (flags & (TCP_ECE | TCP_CWR)) !== 0,
        });
      }
    } else if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK) && fl.respPkts[f] === 1 && !fromOrig) {
      this.emit({
        type: 'tcp_synack', ts: p.ts,
        src_mac: this.srcMac(), dst_mac: this.dstMac(),
        src_ip: this.ipSrc(), dst_ip: this.ipDst(), direction: direction(srcLocal, dstLocal),
        src_port: p.srcPort, dst_port: p.dstPort,
      });
    }
    if (p.payloadLen <= 0) return;
    // Most segments of a long flow are looked at by no room: this check comes before the payload view.
    let room = fl.app[f];
    if (room === ROOM_DONE) return;
    if (!fromOrig) {
      // Inside a body its room declared opaque (HTTP Content-Length): counted off, not looked at.
      const skip = fl.respSkip[f];
      if (skip >= p.payloadLen) { fl.respSkip[f] = skip - p.payloadLen; return; }
    }
    const payload = p.data.subarray(p.payloadOff, p.payloadOff + p.payloadLen);
    if (room === 0) fl.app[f] = room = this.rooms.claimTcp(fl.respPort[f], payload, fromOrig);
    try {
      if (!this.rooms.tcp[room]!.segment(f, payload, fromOrig, fromOrig ? fl.origSegs[f] : fl.respSegs[f])) fl.app[f] = ROOM_DONE;
    } catch (err) {
      fl.app[f] = ROOM_DONE;
      this.internalError(this.rooms.tcpNames[room], err);
    }
  }

  /** Whether a source MAC is held (holds is not null); leaves the MAC in heldKey for the holds' lookups. */
  private isHeld(mac: number): boolean {
    if (mac !== this.heldMac) {
      this.heldMac = mac;
      this.heldKey = mac;
      this.heldYes = this.holds!.has(mac);
    }
    return this.heldYes;
  }

  private udp(): void {
    const p = this.p;
    // A held flooder's datagram to the internet that no room wants: counted, no flow (sensor/scan-hold.ts).
    if (this.holds !== null && this.holds.size !== 0 && this.srcLocal && !this.dstLocal && p.ipVersion === 4 && p.srcMac >= 0 &&
        isPublicV4(p.ip4Dst) && this.isHeld(p.srcMac) &&
        !this.rooms.wantsDatagram(p.srcPort, p.dstPort, p.data, p.payloadOff, Math.max(0, p.payloadLen))) {
      const s = this.heldSyn;
      s.ts = p.ts; s.srcIp = p.ip4Src; s.srcPort = p.srcPort; s.dstIp = p.ip4Dst; s.dstPort = p.dstPort;
      s.seq = 0; s.window = 0; s.ttl = p.ttl; s.optLen = 0; s.ecn = false;
      if (this.holds.udp(this.heldKey as number, s)) {
        this.stats.held_datagrams++;
        return;
      }
    }
    const r = this.flows.update(p);
    if (p.payloadLen <= 0) return;
    try {
      this.rooms.datagram(p.srcPort, p.dstPort, p.data, p.payloadOff, p.payloadLen, r);
    } catch (err) {
      this.internalError(`udp ${p.srcPort}->${p.dstPort} room`, err);
    }
  }

  private arp(): void {
    const p = this.p;
    this.emit({
      type: 'arp', ts: p.ts,
      op: p.arpOp === 1 ? 'request' : p.arpOp === 2 ? 'reply' : 'other',
      sender_mac: this.mac(p.arpSha), sender_ip: this.ip4(p.arpSpa),
      target_mac: this.mac(p.arpTha), target_ip: this.ip4(p.arpTpa),
      gratuitous: p.arpSpa === p.arpTpa,
    });
  }

  private ndp(): void {
    const p = this.p;
    const n = parseNdp(p.data, p.l4Off, p.l4End);
    if (!n) { this.stats.unparsed++; return; }
    // RFC 4861 6.3.4: the router's advertised prefixes are the home's IPv6 networks (unless configured).
    if (n.kind === 'router_advert' && this.learnPrefixes) {
      for (const pre of n.prefixes) this.local.learn6(p.data, pre.off, pre.bits);
    }
    const srcIp = this.ipSrc();
    this.emit({
      type: 'ndp', ts: p.ts, kind: n.kind, mac: this.srcMac(),
      ip: n.targetOff >= 0 ? ipv6ToString(p.data, n.targetOff) : srcIp, src_ip: srcIp,
      lladdr: this.macOrNull(n.lladdr), router: n.router,
    });
  }

  /** Traffic counters of the local device(s) a packet belongs to. */
  private count(srcLocal: boolean, dstLocal: boolean, len: number): void {
    const p = this.p;
    const tr = this.traffic;
    const v4 = p.ipVersion === 4;
    // Sender side: a local unicast source (MAC if there is a link layer, else its IPv4 address).
    if (srcLocal && (p.srcMac >= 0 || v4)) {
      const key = p.srcMac >= 0 ? p.srcMac : 2 ** 49 + p.ip4Src;
      const c = tr.get(key, p.srcMac);
      if (c !== null) {
        c.ip4 = v4 && p.ip4Src !== 0 ? p.ip4Src : -1;
        c.out_pkts++;
        c.out_bytes += len;
        const proto = p.ipProto;
        if (proto === IPPROTO_TCP) {
          const fl = p.tcpFlags;
          if ((fl & (TCP_SYN | TCP_ACK)) === TCP_SYN) c.out_tcp_syn++;
          else if ((fl & (TCP_SYN | TCP_ACK | TCP_FIN | TCP_RST | TCP_PSH)) === TCP_ACK && !dstLocal) c.out_tcp_ack_only++;
        } else if (proto === IPPROTO_UDP) {
          c.out_udp++;
          if (p.payloadLen === 512) c.out_udp_512++;
          else if (p.payloadLen >= 20 && isVseQuery(p.data, p.payloadOff)) {
            c.out_udp_vse++;
            if (c.vseDst.size < 64) c.vseDst.add(v4 ? p.ip4Dst : this.hash6(p.ip6DstOff));
          }
        } else if (proto === IPPROTO_GRE) c.out_gre++;
        else if (proto === IPPROTO_ICMP && p.icmpType === 8) c.out_icmp_echo++;
        if (!dstLocal || (v4 && p.ip4Dst >>> 28 !== 0xe && p.ip4Dst !== 0xffffffff)) {
          c.addOutDst(v4 ? p.ip4Dst : this.hash6(p.ip6DstOff));
          if (proto === IPPROTO_TCP || proto === IPPROTO_UDP) c.addOutDport(proto * 65536 + p.dstPort);
        }
      }
    }
    if (dstLocal && !isGroupMacOrNone(p.dstMac, v4, p.ip4Dst)) {
      const key = p.dstMac >= 0 ? p.dstMac : 2 ** 49 + p.ip4Dst;
      const c = tr.get(key, p.dstMac);
      if (c !== null) {
        c.ip4 = v4 ? p.ip4Dst : -1;
        c.in_pkts++;
        c.in_bytes += len;
        if (p.ipProto === IPPROTO_TCP && (p.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN) c.in_tcp_syn++;
        else if (p.ipProto === IPPROTO_UDP) c.in_udp++;
        c.addInSrc(v4 ? p.ip4Src : this.hash6(p.ip6SrcOff));
      }
    }
  }

  private hash6(off: number): number {
    const b = this.p.data;
    let h = 0x811c9dc5;
    for (let i = 0; i < 16; i++) h = Math.imul(h ^ b[off + i], 0x01000193);
    return h >>> 0;
  }

  private flowEnded(f: number, reason: FlowEndReason): void {
    if (reason === 'evicted') this.stats.flows_evicted++;
    const fl = this.flows;
    const room = fl.app[f];
    if (room !== 0 && room !== ROOM_DONE) this.rooms.tcp[room]?.end?.(f);
    const o = f * 4;
    const ipProto = fl.proto[f];
    // Unanswered TCP attempts from outside (spoofed floods, internet background scans) are
    // summarised by the traffic counters; one conn event each would let a flood drive the rules.
    if (ipProto === IPPROTO_TCP && fl.respPkts[f] === 0 && fl.family[f] === 4 &&
        !this.local.isLocal4(fl.origAddr[o]) && this.local.isLocal4(fl.respAddr[o])) {
      this.stats.unanswered_inbound++;
      return;
    }
    let src: string;
    let dst: string;
    let srcLocal: boolean;
    let dstLocal: boolean;
    if (fl.family[f] === 4) {
      src = this.ip4(fl.origAddr[o]);
      dst = this.ip4(fl.respAddr[o]);
      srcLocal = this.local.isLocal4(fl.origAddr[o]);
      dstLocal = this.local.isLocal4(fl.respAddr[o]);
    } else {
      const buf = new Uint8Array(32);
      const dv = new DataView(buf.buffer);
      for (let w = 0; w < 4; w++) {
        dv.setUint32(4 * w, fl.origAddr[o + w]);
        dv.setUint32(16 + 4 * w, fl.respAddr[o + w]);
      }
      src = ipv6ToString(buf, 0);
      dst = ipv6ToString(buf, 16);
      srcLocal = this.local.isLocal6(buf, 0);
      dstLocal = this.local.isLocal6(buf, 16);
    }
    this.emit({
      type: 'conn', ts: fl.firstTs[f], end_ts: fl.lastTs[f],
      src_mac: this.macOrNull(fl.origMac[f]),
      dst_mac: this.macOrNull(fl.respMac[f]),
      src_ip: src, dst_ip: dst, direction: direction(srcLocal, dstLocal),
      proto: ipProto === IPPROTO_TCP ? 'tcp' : ipProto === IPPROTO_UDP ? 'udp' : ipProto === IPPROTO_ICMP ? 'icmp' : ipProto === IPPROTO_ICMPV6 ? 'icmpv6' : 'other',
      ip_proto: ipProto,
      src_port: fl.origPort[f], dst_port: fl.respPort[f],
      state: fl.connState(f),
      orig_pkts: fl.origPkts[f], orig_bytes: fl.origBytes[f], resp_pkts: fl.respPkts[f], resp_bytes: fl.respBytes[f],
      reason,
    });
  }

  private statsEvent(ts: number): SensorStatsEvent {
    const st = this.stats;
    const full: string[] = [];
    if (this.flows.active >= this.flows.capacity) full.push('flows');
    if (this.traffic.full) full.push('traffic');
    // A room whose bounded table dropped entries since the last report (HTTP request queues, TLS hellos, TFTP exchanges).
    const dropped = this.rooms.dropped();
    for (const name in dropped) {
      if (dropped[name] !== this.roomsDropped[name]) full.push(`room:${name}`);
    }
    this.roomsDropped = dropped;
    this.reportedDropped = this.dropped;
    this.lastStatsTs = ts;
    return {
      type: 'sensor_stats', ts, packets: st.packets, bytes: st.bytes, malformed: st.malformed,
      unsupported_link: st.unsupported_link, ip_fragments: st.ip_fragments, dropped: this.dropped,
      flows_active: this.flows.active, flows_evicted: this.flows.evicted, tables_full: full,
      tunneled: st.tunneled, tunnel_too_deep: st.tunnel_too_deep,
    };
  }

  /** Direction of the packet being processed. */
  direction(): Direction {
    return direction(this.srcLocal, this.dstLocal);
  }
  unparsed(): void {
    this.stats.unparsed++;
  }
  srcMac(): string | null {
    return this.macOrNull(this.p.srcMac);
  }
  dstMac(): string | null {
    return this.macOrNull(this.p.dstMac);
  }
  ipSrc(): string {
    const p = this.p;
    return p.ipVersion === 4 ? this.ip4(p.ip4Src) : ipv6ToString(p.data, p.ip6SrcOff);
  }

  ipDst(): string {
    const p = this.p;
    return p.ipVersion === 4 ? this.ip4(p.ip4Dst) : ipv6ToString(p.data, p.ip6DstOff);
  }

  private ip4(ip: number): string {
    return this.ip4Text.get(ip);
  }
  private mac(m: number): string {
    return this.macText.get(m);
  }
  /** A decoded MAC (-1: the link layer carried none) as text or null. */
  private macOrNull(m: number): string | null {
    return m >= 0 ? this.macText.get(m) : null;
  }

  private internalError(where: string, err: unknown): void {
    this.stats.internal_errors++;
    if (!this.reportedErrors.has(where)) {
      this.reportedErrors.add(where);
      this.onError(where, err);
    }
  }

  emit(e: WaakhondEvent): void {
    this.stats.events++;
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) {
      try {
        sinks[i](e);
      } catch (err) {
        this.internalError(`sink for ${e.type}`, err);
      }
    }
  }
}

/** Valve's A2S_INFO request (FF FF FF FF 'T' "Source Engine Query"), which Mirai's attack_udp_vse repeats. */
const VSE = [0xff, 0xff, 0xff, 0xff, 0x54, 0x53, 0x6f, 0x75, 0x72, 0x63, 0x65, 0x20, 0x45, 0x6e, 0x67, 0x69, 0x6e, 0x65];

function isVseQuery(b: Uint8Array, off: number): boolean {
  for (let i = 0; i < VSE.length; i++) if (b[off + i] !== VSE[i]) return false;
  return true;
}

function direction(srcLocal: boolean, dstLocal: boolean): Direction {
  return srcLocal ? (dstLocal ? 'internal' : 'outbound') : dstLocal ? 'inbound' : 'external';
}

/** Inbound counters are for unicast receivers: not multicast/broadcast MACs or addresses. */
function isGroupMacOrNone(mac: number, v4: boolean, ip4: number): boolean {
  if (mac >= 0) return isGroupMac(mac);
  return !v4 || ip4 >>> 28 === 0xe || ip4 === 0xffffffff;
}

