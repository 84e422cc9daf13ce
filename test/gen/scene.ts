// A timeline of generated packets in a home LAN: hosts, TCP sessions, DHCP, DNS, mDNS, SSDP (deterministic, seeded).
import {
  BROADCAST, DHCP, TCP, arp, dhcpPayload, dnsPayload, httpRequest, httpResponse, ip4, ip4Text, multicastMac, opt,
  tcpFrame, text, udpFrame,
} from './packets.js';
import type { PcapRecord } from './pcap.js';
import type dnsPacket from 'dns-packet';

export interface Host {
  mac: string;
  ip: string;
}

export const S = 1_000_000;

/** mulberry32: a small seeded PRNG so every generated capture is the same byte for byte. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0);
  };
}

export interface Exchange {
  from: 'c' | 's';
  data: Uint8Array;
  /** Delay before this segment, µs (default 20 ms). */
  dt?: number;
}

export class Scene {
  readonly records: PcapRecord[] = [];
  readonly rand: () => number;
  private ipId = 1;

  /** The router: gateway, DHCP server and DNS resolver of the home. */
  constructor(readonly router: Host, seed = 1) {
    this.rand = prng(seed);
  }

  at(ts: number, data: Uint8Array): void {
    this.records.push({ ts: Math.round(ts), data });
  }

  /** Link-layer next hop: LAN peers directly, everything else through the router. */
  private l2(ipText: string, known?: Host): string {
    if (known) return known.mac;
    return this.router.mac;
  }

  id(): number {
    this.ipId = (this.ipId + 1 + (this.rand() % 7)) & 0xffff;
    return this.ipId;
  }

  ephemeral(): number {
    return 32768 + (this.rand() % 28000);
  }

  /** A remote (internet) host seen through the router. */
  remote(ip: string): Host {
    return { mac: this.router.mac, ip };
  }

  /**
   * A TCP session: handshake, the exchanges (each answered by an ACK), then FIN/FIN or RST.
   * Returns the time of the last packet.
   */
  tcpSession(c: Host, s: Host, o: {
    t: number; dport: number; sport?: number; exchanges?: Exchange[]; close?: 'fin' | 'rst' | 'none'; rtt?: number;
    ttlC?: number; ttlS?: number; cMac?: string; sMac?: string;
  }): number {
    const rtt = o.rtt ?? 20_000;
    const sport = o.sport ?? this.ephemeral();
    const cm = o.cMac ?? c.mac;
    const sm = o.sMac ?? s.mac;
    // Frames from the client go to the server's link address and the reverse.
    const toS = (flags: number, seq: number, ack: number, data?: Uint8Array): Uint8Array =>
      tcpFrame(cm, this.l2(s.ip, { mac: sm, ip: s.ip }), c.ip, s.ip, { sport, dport: o.dport, seq, ack, flags, window: 64240 }, data, o.ttlC ?? 64, this.id());
    const toC = (flags: number, seq: number, ack: number, data?: Uint8Array): Uint8Array =>
      tcpFrame(sm, cm, s.ip, c.ip, { sport: o.dport, dport: sport, seq, ack, flags, window: 65160 }, data, o.ttlS ?? 64, this.id());
    let t = o.t;
    let cs = this.rand();
    let ss = this.rand();
    // SYN with the usual Linux options (MSS, SACK, TS, WS), unlike Mirai's raw probes.
    this.at(t, tcpFrame(cm, sm, c.ip, s.ip, {
      sport, dport: o.dport, seq: cs, flags: TCP.SYN, window: 64240,
      options: Uint8Array.of(2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7),
    }, undefined, o.ttlC ?? 64, this.id()));
    t += rtt / 2;
    this.at(t, toC(TCP.SYN | TCP.ACK, ss, cs + 1));
    cs += 1; ss += 1;
    t += rtt / 2;
    this.at(t, toS(TCP.ACK, cs, ss));
    for (const x of o.exchanges ?? []) {
      t += x.dt ?? 20_000;
      if (x.from === 'c') {
        this.at(t, toS(TCP.PSH | TCP.ACK, cs, ss, x.data));
        cs = (cs + x.data.length) >>> 0;
        this.at(t + rtt / 2, toC(TCP.ACK, ss, cs));
      } else {
        this.at(t, toC(TCP.PSH | TCP.ACK, ss, cs, x.data));
        ss = (ss + x.data.length) >>> 0;
        this.at(t + rtt / 2, toS(TCP.ACK, cs, ss));
      }
      t += rtt / 2;
    }
    const close = o.close ?? 'fin';
    if (close === 'fin') {
      t += 5_000;
      this.at(t, toS(TCP.FIN | TCP.ACK, cs, ss));
      this.at(t + rtt / 2, toC(TCP.FIN | TCP.ACK, ss, cs + 1));
      this.at(t + rtt, toS(TCP.ACK, cs + 1, ss + 1));
      t += rtt;
    } else if (close === 'rst') {
      t += 5_000;
      this.at(t, toS(TCP.RST | TCP.ACK, cs, ss));
    }
    return t;
  }

  /** DHCP DISCOVER/OFFER/REQUEST/ACK (RFC 2131 3.1) with the client's identifying options. */
  dhcp(dev: Host, t: number, o: { hostname?: string; vendorClass?: string; params: number[]; clientId?: boolean }): number {
    const xid = this.rand();
    const r = this.router;
    const clientOpts = (type: number): [number, Uint8Array][] => {
      const list: [number, Uint8Array][] = [];
      if (o.clientId !== false) list.push([61, opt.bytes(1, ...dev.mac.split(':').map((h) => parseInt(h, 16)))]);
      if (type === DHCP.REQUEST) list.push([50, opt.ips(dev.ip)], [54, opt.ips(r.ip)]);
      list.push([57, opt.u16(1500)]);
      if (o.hostname) list.push([12, opt.str(o.hostname)]);
      if (o.vendorClass) list.push([60, opt.str(o.vendorClass)]);
      list.push([55, opt.bytes(...o.params)]);
      return list;
    };
    const serverOpts: [number, Uint8Array][] = [
      [54, opt.ips(r.ip)], [51, opt.u32(86400)], [1, opt.ips('255.255.255.0')], [3, opt.ips(r.ip)], [6, opt.ips(r.ip)],
      [15, opt.str('home')],
    ];
    const c2s = (type: number): Uint8Array =>
      udpFrame(dev.mac, BROADCAST, '0.0.0.0', '255.255.255.255', 68, 67, dhcpPayload({ op: 1, xid, chaddr: dev.mac, type, options: clientOpts(type) }));
    const s2c = (type: number): Uint8Array =>
      udpFrame(r.mac, dev.mac, r.ip, dev.ip, 67, 68, dhcpPayload({ op: 2, xid, chaddr: dev.mac, type, yiaddr: dev.ip, options: serverOpts }));
    this.at(t, c2s(DHCP.DISCOVER));
    this.at(t + 2_000, s2c(DHCP.OFFER));
    this.at(t + 4_000, c2s(DHCP.REQUEST));
    this.at(t + 6_000, s2c(DHCP.ACK));
    // RFC 5227: probe/announce the new address.
    this.at(t + 10_000, arp(1, dev.mac, dev.ip, '00:00:00:00:00:00', dev.ip));
    return t + 10_000;
  }

  /** A DNS question to a resolver and its answer (A records, or NXDOMAIN without answers). */
  dns(dev: Host, resolver: Host, t: number, name: string, answers: string[], rtt = 15_000): number {
    const sport = this.ephemeral();
    const id = this.rand() & 0xffff;
    const q: dnsPacket.Packet = { type: 'query', id, flags: 0x0100, questions: [{ type: 'A', name }] };
    const a: dnsPacket.Packet = {
      type: 'response', id, flags: 0x8180 | (answers.length ? 0 : 3), questions: [{ type: 'A', name }],
      answers: answers.map((ip) => ({ type: 'A' as const, name, ttl: 300, data: ip })),
    };
    this.at(t, udpFrame(dev.mac, resolver.mac, dev.ip, resolver.ip, sport, 53, dnsPayload(q), 64, this.id()));
    this.at(t + rtt, udpFrame(resolver.mac, dev.mac, resolver.ip, dev.ip, 53, sport, dnsPayload(a), 64, this.id()));
    return t + rtt;
  }

  /** An mDNS response announcing records (RFC 6762 8.3), to 224.0.0.251:5353. */
  mdns(dev: Host, t: number, answers: dnsPacket.Answer[]): void {
    const p: dnsPacket.Packet = { type: 'response', id: 0, flags: 0x8400, answers };
    this.at(t, udpFrame(dev.mac, multicastMac('224.0.0.251'), dev.ip, '224.0.0.251', 5353, 5353, dnsPayload(p), 255, this.id()));
  }

  /** An mDNS query (e.g. a phone browsing for _googlecast._tcp.local). */
  mdnsQuery(dev: Host, t: number, names: string[], type: 'PTR' | 'A' = 'PTR'): void {
    const p: dnsPacket.Packet = { type: 'query', id: 0, flags: 0, questions: names.map((name) => ({ name, type })) };
    this.at(t, udpFrame(dev.mac, multicastMac('224.0.0.251'), dev.ip, '224.0.0.251', 5353, 5353, dnsPayload(p), 255, this.id()));
  }

  /** An SSDP NOTIFY ssdp:alive (UPnP DA 2.0 1.2.2) to 239.255.255.250:1900. */
  ssdpNotify(dev: Host, t: number, h: { server: string; nt: string; usn: string; location: string }): void {
    const msg = `NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\nLOCATION: ${h.location}\r\n` +
      `NT: ${h.nt}\r\nNTS: ssdp:alive\r\nSERVER: ${h.server}\r\nUSN: ${h.usn}\r\n\r\n`;
    this.at(t, udpFrame(dev.mac, multicastMac('239.255.255.250'), dev.ip, '239.255.255.250', 1900, 1900, text(msg), 4, this.id()));
  }

  /** An HTTP GET and its response over one TCP session. */
  httpGet(c: Host, s: Host, t: number, host: string, uri: string, o: { ua?: string; status?: number; server?: string; body?: string; dport?: number } = {}): number {
    const req = httpRequest('GET', uri, { Host: host, 'User-Agent': o.ua ?? 'Mozilla/5.0', Accept: '*/*', Connection: 'close' });
    const body = o.body ?? '';
    const res = httpResponse(o.status ?? 200, 'OK', {
      ...(o.server ? { Server: o.server } : {}), 'Content-Type': 'text/html', 'Content-Length': String(body.length), Connection: 'close',
    }, body);
    return this.tcpSession(c, s, { t, dport: o.dport ?? 80, exchanges: [{ from: 'c', data: req }, { from: 's', data: res }] });
  }

  /** A random public unicast IPv4 address (skipping the ranges Mirai's get_random_ip() skips). */
  publicIp(): string {
    for (;;) {
      const n = this.rand();
      const a = n >>> 24;
      const b = (n >>> 16) & 255;
      if (a === 127 || a === 0 || a === 3 || a === 15 || a === 16 || a === 56 || a === 10 || a >= 224) continue;
      if (a === 192 && b === 168) continue;
      if (a === 172 && b >= 16 && b < 32) continue;
      if (a === 100 && b >= 64 && b < 127) continue;
      if (a === 169 && b === 254) continue;
      if (a === 198 && b >= 18 && b < 20) continue;
      if ([6, 7, 11, 21, 22, 26, 28, 29, 30, 33, 55, 214, 215].includes(a)) continue;
      return ip4Text(n);
    }
  }

  /** Gratuitous/periodic ARP chatter from a host. */
  arpWho(dev: Host, t: number, target: string): void {
    this.at(t, arp(1, dev.mac, dev.ip, '00:00:00:00:00:00', target));
  }
}

export { ip4 };
