// The sensor pipeline: frames -> decode -> flows, protocol parsers and traffic counters -> events.
// Everything downstream (inventory, rules, store, exports) consumes only the events it emits.
import type { Frame } from './capture/frame.js';
import { DEFAULT_LOCAL_NETS, LocalNets } from './addr.js';
import { decodeFrame } from './decode/dispatch.js';
import { ETHERTYPE_ARP } from './decode/ethernet.js';
import { isGroupMac, ipv4ToString, ipv6ToString, macToString, TextCache } from './decode/format.js';
import { parseNdp } from './decode/ndp.js';
import {
  DECODE_MALFORMED, DECODE_OK, IPPROTO_GRE, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP,
  Packet, TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TUNNEL_ERSPAN, TUNNEL_GRE,
} from './decode/packet.js';
import type { Direction, DnsEvent, Endpoints, EventSink, SensorStatsEvent, TlsClientHelloEvent, WaakhondEvent } from './events.js';
import { FlowTable, type FlowEndReason } from './flows.js';
import { parseDhcp } from './protocols/dhcp/parse.js';
import { parseDns, type DnsFields } from './protocols/dns/parse.js';
import { parseHttpRequest, parseHttpResponse } from './protocols/http/parse.js';
import { parseNetbiosNs } from './protocols/netbios/parse.js';
import { parseSsdp } from './protocols/ssdp/parse.js';
import { parseTelnetData } from './protocols/telnet/parse.js';
import { parseQuicInitial } from './protocols/quic/parse.js';
import { parseTlsClientHello, tlsHelloLength, type TlsFields } from './protocols/tls/parse.js';
import { TrafficCounters } from './traffic.js';

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
  /** Internal errors caught (a parser threw, a sink threw). Should stay 0. */
  internal_errors: number;
  events: number;
  first_ts: number | null;
  last_ts: number | null;
}

/** Telnet ports Mirai and its variants scan and log in on. */
const TELNET_PORTS = new Set([23, 2323]);
/** How many payload segments per direction are turned into telnet_data events. */
const TELNET_SEGMENTS = 24;
/** HTTP requests are looked for in the first few client segments (keep-alive, pipelining). */
const HTTP_SEGMENTS = 4;
/** Beyond this many payload segments in one direction no application parser looks at a TCP flow. */
const MAX_SEGMENTS_LOOKED_AT = Math.max(TELNET_SEGMENTS, HTTP_SEGMENTS, 1);

const APP_NONE = 0;
const APP_NOT_HTTP = 1;
const APP_TLS_PENDING = 2;

/** ClientHellos split over TCP segments are joined up to this size and this many flows at once. */
const TLS_REASSEMBLY_MAX = 16384;
const TLS_PENDING_FLOWS = 256;
const TLS_SEGMENTS = 4;

const MAC_CACHE_MAX = 4096;
const IP4_CACHE_MAX = 8192;

export class Pipeline {
  readonly stats: PipelineStats = {
    packets: 0, bytes: 0, malformed: 0, unsupported_link: 0, ip_fragments: 0, unparsed: 0, unanswered_inbound: 0,
    tunneled: 0, tunnel_too_deep: 0, internal_errors: 0, events: 0, first_ts: null, last_ts: null,
  };
  readonly flows: FlowTable;
  private readonly traffic: TrafficCounters;
  private readonly local: LocalNets;
  private readonly sinks: EventSink[];
  private readonly p = new Packet();
  private readonly macText = new TextCache(MAC_CACHE_MAX, macToString);
  private readonly ip4Text = new TextCache(IP4_CACHE_MAX, ipv4ToString);
  private readonly statsInterval: number;
  private nextStats = -1;
  private nextExpire = -1;
  private readonly reportedErrors = new Set<string>();
  /** First client bytes of flows whose ClientHello spans several segments (Chrome's post-quantum hellos do). */
  private readonly tlsPending = new Map<number, Uint8Array>();
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
  /** Set by the capture source owner: kernel drops, for sensor_stats. */
  dropped: number | null = null;

  constructor(opts: PipelineOptions) {
    this.sinks = opts.sinks;
    this.local = new LocalNets(opts.localNets ?? DEFAULT_LOCAL_NETS);
    this.learnPrefixes = opts.learnIpv6Prefixes ?? opts.localNets === undefined;
    this.flows = new FlowTable({ capacity: opts.maxFlows ?? 65536 });
    this.flows.onEnd = (f, reason) => this.flowEnded(f, reason);
    this.traffic = new TrafficCounters((e) => this.emit(e), (m) => this.mac(m), opts.trafficInterval ?? 1_000_000);
    this.statsInterval = opts.statsInterval ?? 60_000_000;
    this.onError = opts.onError ?? ((where, err) => console.error(`waakhond: internal error in ${where}: ${String(err)}`));
  }

  /** Processes a batch of frames in order. Never throws because of packet contents. */
  push(frames: Frame[]): void {
    for (let i = 0; i < frames.length; i++) this.frame(frames[i]);
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
  }

  private frame(frame: Frame): void {
    const p = this.p;
    const st = this.stats;
    st.packets++;
    st.bytes += frame.len;
    const ts = frame.ts;
    if (st.first_ts === null) st.first_ts = ts;
    // Capture time only moves forward for timers (merged or reordered captures must not rewind them).
    if (st.last_ts === null || ts > st.last_ts) st.last_ts = ts;
    const now = st.last_ts;
    if (now >= this.nextExpire) {
      if (this.nextExpire >= 0) this.flows.expire(now);
      this.nextExpire = now + 1_000_000;
    }
    if (this.nextStats < 0) this.nextStats = now + this.statsInterval;
    else if (now >= this.nextStats) {
      this.emit(this.statsEvent(now));
      this.nextStats = now + this.statsInterval;
    }
    this.traffic.advance(now);

    p.reset();
    p.data = frame.data;
    p.ts = ts;
    p.wireLen = frame.len;
    const r = decodeFrame(frame.data, frame.linktype, p, this.keepTunnel);
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
    this.count(srcLocal, dstLocal, frame.len);
    if (p.l4Off < 0) return; // non-first fragment: no transport header

    const proto = p.ipProto;
    if (proto === IPPROTO_TCP) this.tcp(srcLocal, dstLocal);
    else if (proto === IPPROTO_UDP) this.udp(srcLocal, dstLocal);
    else {
      this.flows.update(p);
      if (proto === IPPROTO_ICMPV6 && p.icmpType >= 133 && p.icmpType <= 136) this.ndp();
    }
  }

  private tcp(srcLocal: boolean, dstLocal: boolean): void {
    const p = this.p;
    const flags = p.tcpFlags;
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
    const segs = fromOrig ? fl.origSegs[f] : fl.respSegs[f];
    const serverPort = fl.respPort[f];
    // Most segments of a long flow are looked at by nothing below: the checks come before the payload view.
    if (segs > MAX_SEGMENTS_LOOKED_AT && fl.app[f] !== APP_TLS_PENDING) return;
    const payload = p.data.subarray(p.payloadOff, p.payloadOff + p.payloadLen);
    if (serverPort === 53 || serverPort === 5353) {
      // DNS over TCP (RFC 7766): length-prefixed messages; the first of each side is enough for us.
      if (segs === 1) {
        const d = this.guard('dns', () => parseDns(payload, true));
        if (d) this.emit(this.dnsEvent(d, srcLocal, dstLocal, serverPort === 5353, false, 'tcp'));
        else this.stats.unparsed++;
      }
      return;
    }
    if (TELNET_PORTS.has(serverPort)) {
      if (segs <= TELNET_SEGMENTS) this.telnet(payload, fromOrig, srcLocal, dstLocal);
      return;
    }
    if (fl.app[f] === APP_NOT_HTTP) return;
    if (fl.app[f] === APP_TLS_PENDING) {
      if (fromOrig) this.tlsContinue(f, payload, segs, srcLocal, dstLocal);
      return;
    }
    if (fromOrig) {
      if (segs === 1 && payload[0] === 0x16 && payload.length > 5 && payload[1] === 3) {
        const need = tlsHelloLength(payload);
        if (need !== null && need > payload.length && need <= TLS_REASSEMBLY_MAX && this.tlsPending.size < TLS_PENDING_FLOWS) {
          this.tlsPending.set(f, payload.slice());
          fl.app[f] = APP_TLS_PENDING;
          return;
        }
        fl.app[f] = APP_NOT_HTTP;
        this.tlsHello(payload, srcLocal, dstLocal);
        return;
      }
      if (segs <= HTTP_SEGMENTS) {
        const req = this.guard('http', () => parseHttpRequest(payload));
        if (req) {
          this.emit({
            type: 'http_request', ts: p.ts, src_mac: this.srcMac(), dst_mac: this.dstMac(), src_ip: this.ipSrc(), dst_ip: this.ipDst(),
            direction: direction(srcLocal, dstLocal), src_port: p.srcPort, dst_port: p.dstPort,
            method: req.method, uri: req.uri, version: req.version, host: req.host, user_agent: req.user_agent, body: req.body,
          });
        }
        else if (segs === 1) fl.app[f] = APP_NOT_HTTP;
      }
    } else if (segs <= HTTP_SEGMENTS) {
      const res = this.guard('http', () => parseHttpResponse(payload));
      if (res) {
        this.emit({
          type: 'http_response', ts: p.ts, src_mac: this.srcMac(), dst_mac: this.dstMac(), src_ip: this.ipSrc(), dst_ip: this.ipDst(),
          direction: direction(srcLocal, dstLocal), src_port: p.srcPort, dst_port: p.dstPort,
          status: res.status, server: res.server, content_type: res.content_type,
        });
      }
    }
  }

  private tlsHello(bytes: Uint8Array, srcLocal: boolean, dstLocal: boolean): void {
    const p = this.p;
    const hello = this.guard('tls', () => parseTlsClientHello(bytes));
    if (hello) this.emit(this.helloEvent(hello, srcLocal, dstLocal));
    else this.stats.unparsed++;
  }

  /** Appends a client segment to a pending ClientHello; parses it when complete or when we give up. */
  private tlsContinue(f: number, payload: Uint8Array, segs: number, srcLocal: boolean, dstLocal: boolean): void {
    const first = this.tlsPending.get(f);
    if (first === undefined) {
      this.flows.app[f] = APP_NOT_HTTP;
      return;
    }
    const joined = new Uint8Array(Math.min(first.length + payload.length, TLS_REASSEMBLY_MAX));
    joined.set(first);
    joined.set(payload.subarray(0, joined.length - first.length), first.length);
    const need = tlsHelloLength(joined) ?? joined.length;
    if (joined.length >= need || segs >= TLS_SEGMENTS || joined.length >= TLS_REASSEMBLY_MAX) {
      this.tlsPending.delete(f);
      this.flows.app[f] = APP_NOT_HTTP;
      this.tlsHello(joined, srcLocal, dstLocal);
    } else {
      this.tlsPending.set(f, joined);
    }
  }

  private telnet(payload: Uint8Array, fromOrig: boolean, srcLocal: boolean, dstLocal: boolean): void {
    const p = this.p;
    const t = this.guard('telnet', () => parseTelnetData(payload));
    if (!t) return;
    this.emit({
      type: 'telnet_data', ts: p.ts, ...this.endpoints(srcLocal, dstLocal), src_port: p.srcPort, dst_port: p.dstPort,
      from: fromOrig ? 'client' : 'server', text: t.text, hex: t.hex, length: payload.length,
    });
  }

  private udp(srcLocal: boolean, dstLocal: boolean): void {
    const p = this.p;
    const r = this.flows.update(p);
    if (p.payloadLen <= 0) return;
    const sp = p.srcPort;
    const dp = p.dstPort;
    const payload = p.data.subarray(p.payloadOff, p.payloadOff + p.payloadLen);
    // RFC 2131 4.1: clients send from 68 to 67, servers from 67 to 68 (relays 67 to 67).
    if ((sp === 67 || sp === 68) && (dp === 67 || dp === 68)) {
      const d = this.guard('dhcp', () => parseDhcp(payload));
      if (!d) { this.stats.unparsed++; return; }
      this.emit({ type: 'dhcp', ts: p.ts, src_mac: this.srcMac(), src_ip: this.ipSrc(), dst_ip: this.ipDst(), ...d });
      return;
    }
    const mdns = sp === 5353 || dp === 5353;
    const llmnr = sp === 5355 || dp === 5355;
    if (mdns || llmnr || sp === 53 || dp === 53) {
      const d = this.guard('dns', () => parseDns(payload));
      if (!d) { this.stats.unparsed++; return; }
      this.emit(this.dnsEvent(d, srcLocal, dstLocal, mdns, llmnr, 'udp'));
      return;
    }
    if (sp === 137 || dp === 137) {
      const n = this.guard('netbios', () => parseNetbiosNs(payload));
      if (!n) { this.stats.unparsed++; return; }
      this.emit({
        type: 'netbios', ts: p.ts, src_mac: this.srcMac(), dst_mac: this.dstMac(), src_ip: this.ipSrc(), dst_ip: this.ipDst(),
        direction: direction(srcLocal, dstLocal), kind: n.kind, name: n.name, suffix: n.suffix,
      });
      return;
    }
    if (sp === 1900 || dp === 1900) {
      const s = this.guard('ssdp', () => parseSsdp(payload));
      if (!s) { this.stats.unparsed++; return; }
      this.emit({
        type: 'ssdp', ts: p.ts, src_mac: this.srcMac(), dst_mac: this.dstMac(), src_ip: this.ipSrc(), dst_ip: this.ipDst(),
        direction: direction(srcLocal, dstLocal), src_port: sp, dst_port: dp,
        method: s.method, server: s.server, user_agent: s.user_agent, st: s.st, nt: s.nt, nts: s.nts, usn: s.usn,
        location: s.location, headers: s.headers,
      });
      return;
    }
    // QUIC Initial (RFC 9000 17.2.2): long header, padded to >= 1200 bytes (RFC 9000 14.1). Decrypting
    // costs ~70 us, so only the first two client datagrams of a flow are tried (a flood on 443 stays cheap).
    if (dp === 443 && r > 0 && payload.length >= 1200 && (payload[0] & 0xc0) === 0xc0 && this.flows.origPkts[r - 1] <= 2) {
      const h = this.guard('quic', () => parseQuicInitial(payload));
      if (h) this.emit({ type: 'tls_client_hello', ts: p.ts, ...this.endpoints(srcLocal, dstLocal), src_port: sp, dst_port: dp, ...h });
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
    if (this.tlsPending.size > 0) this.tlsPending.delete(f);
    const fl = this.flows;
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
    return {
      type: 'sensor_stats', ts, packets: st.packets, bytes: st.bytes, malformed: st.malformed,
      unsupported_link: st.unsupported_link, ip_fragments: st.ip_fragments, dropped: this.dropped,
      flows_active: this.flows.active, flows_evicted: this.flows.evicted, tables_full: full,
      tunneled: st.tunneled, tunnel_too_deep: st.tunnel_too_deep,
    };
  }

  private endpoints(srcLocal: boolean, dstLocal: boolean): Endpoints {
    const p = this.p;
    return {
      src_mac: this.srcMac(),
      dst_mac: this.dstMac(),
      src_ip: this.ipSrc(),
      dst_ip: this.ipDst(),
      direction: direction(srcLocal, dstLocal),
    };
  }

  // Events are built as object literals with every field named, not with spreads: a spread copies
  // property by property at run time (~10x slower), and literals give each event type one shape.
  private dnsEvent(d: DnsFields, srcLocal: boolean, dstLocal: boolean, mdns: boolean, llmnr: boolean, transport: 'udp' | 'tcp'): DnsEvent {
    const p = this.p;
    return {
      type: 'dns', ts: p.ts, src_mac: this.srcMac(), dst_mac: this.dstMac(), src_ip: this.ipSrc(), dst_ip: this.ipDst(),
      direction: direction(srcLocal, dstLocal), mdns, llmnr, transport, src_port: p.srcPort, dst_port: p.dstPort,
      id: d.id, response: d.response, opcode: d.opcode, rcode: d.rcode, questions: d.questions, answers: d.answers,
    };
  }
  private helloEvent(h: TlsFields, srcLocal: boolean, dstLocal: boolean): TlsClientHelloEvent {
    const p = this.p;
    return {
      type: 'tls_client_hello', ts: p.ts, src_mac: this.srcMac(), dst_mac: this.dstMac(), src_ip: this.ipSrc(), dst_ip: this.ipDst(),
      direction: direction(srcLocal, dstLocal), src_port: p.srcPort, dst_port: p.dstPort,
      version: h.version, max_version: h.max_version, sni: h.sni, alpn: h.alpn, ciphers: h.ciphers, extensions: h.extensions,
      groups: h.groups, point_formats: h.point_formats, signature_algorithms: h.signature_algorithms,
      ja3: h.ja3, ja3_hash: h.ja3_hash, ja4: h.ja4,
    };
  }
  private srcMac(): string | null {
    return this.macOrNull(this.p.srcMac);
  }
  private dstMac(): string | null {
    return this.macOrNull(this.p.dstMac);
  }
  private ipSrc(): string {
    const p = this.p;
    return p.ipVersion === 4 ? this.ip4(p.ip4Src) : ipv6ToString(p.data, p.ip6SrcOff);
  }

  private ipDst(): string {
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

  /** Runs a parser; a throw is an internal error (counted, reported once), never a crash. */
  private guard<T>(where: string, fn: () => T | null): T | null {
    try {
      return fn();
    } catch (err) {
      this.internalError(where, err);
      return null;
    }
  }

  private internalError(where: string, err: unknown): void {
    this.stats.internal_errors++;
    if (!this.reportedErrors.has(where)) {
      this.reportedErrors.add(where);
      this.onError(where, err);
    }
  }

  private emit(e: WaakhondEvent): void {
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

