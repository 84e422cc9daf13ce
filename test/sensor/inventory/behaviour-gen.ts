// Generated home traffic for the behaviour tests: whole Ethernet/IPv4 frames written as a pcap and read
// back through analyze, so conn, traffic, dns and tcp_syn events come from the real pipeline.
// SYNTHETIC: each scenario in behaviour.test.ts says which published behaviour it follows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { analyzeFiles, type Report } from '../../../sensor/analyze.js';
import { dnsPayload, tcpFrame, TCP, text, tlsClientHello, udpFrame } from '../../gen/packets.js';
import { pcapBytes, type PcapRecord } from '../../gen/pcap.js';

export interface Host { mac: string; ip: string }

/** The home router: every Internet packet passes its MAC (the inventory learns it is no device). */
export const ROUTER: Host = { mac: '00:00:5e:00:53:01', ip: '192.168.1.1' };

export class Home {
  readonly records: PcapRecord[] = [];
  private seq = 1000;
  private port = 40000;

  constructor(public t = 1_700_000_000_000_000) {}

  private put(ts: number, data: Uint8Array): void {
    this.records.push({ ts, data });
  }

  /** A unicast DNS query through the router and its answer: the device looks a name up. */
  lookup(dev: Host, name: string, at = this.t): void {
    const sport = this.port++;
    this.put(at, udpFrame(dev.mac, ROUTER.mac, dev.ip, ROUTER.ip, sport, 53,
      dnsPayload({ type: 'query', id: sport & 0xffff, flags: 256, questions: [{ type: 'A', name }] })));
    this.put(at + 2000, udpFrame(ROUTER.mac, dev.mac, ROUTER.ip, dev.ip, 53, sport,
      dnsPayload({ type: 'response', id: sport & 0xffff, flags: 0x8180, questions: [{ type: 'A', name }], answers: [{ type: 'A', name, data: '203.0.113.7' }] })));
  }

  /**
   * A TCP session from client to server: handshake, then `out` client segments of outLen bytes and one
   * answer of inLen per exchange, spaced by `gap` µs, then FIN both ways (unless keepOpen).
   * Segments to or from the Internet go through the router's MAC.
   */
  tcp(client: Host, server: Host, dport: number, o: { at?: number; exchanges?: number; outLen?: number; inLen?: number; gap?: number; keepOpen?: boolean; hello?: Uint8Array } = {}): number {
    let t = o.at ?? this.t;
    const sport = this.port++;
    let cs = this.seq += 100_000;
    let ss = this.seq += 100_000;
    const c = (flags: number, payload?: Uint8Array) => { this.put(t, tcpFrame(l2(client), l2(server), client.ip, server.ip, { sport, dport, seq: cs, ack: ss, flags }, payload)); cs += payload?.length ?? 0; };
    const s = (flags: number, payload?: Uint8Array) => { this.put(t, tcpFrame(l2(server), l2(client), server.ip, client.ip, { sport: dport, dport: sport, seq: ss, ack: cs, flags }, payload)); ss += payload?.length ?? 0; };
    c(TCP.SYN); cs++; t += 1000;
    s(TCP.SYN | TCP.ACK); ss++; t += 1000;
    c(TCP.ACK); t += 1000;
    if (o.hello) { c(TCP.PSH | TCP.ACK, o.hello); t += 1000; }
    for (let i = 0; i < (o.exchanges ?? 1); i++) {
      c(TCP.PSH | TCP.ACK, new Uint8Array(o.outLen ?? 40)); t += 500;
      s(TCP.PSH | TCP.ACK, new Uint8Array(o.inLen ?? 40)); t += o.gap ?? 1000;
    }
    if (!o.keepOpen) {
      c(TCP.FIN | TCP.ACK); t += 1000;
      s(TCP.FIN | TCP.ACK); t += 1000;
      c(TCP.ACK);
    }
    return t;
  }

  /** A TLS session: ClientHello with this SNI first, as devices open their cloud sessions. */
  tls(client: Host, server: Host, dport: number, sni: string, o: Parameters<Home['tcp']>[3] = {}): number {
    let r = 7;
    return this.tcp(client, server, dport, { ...o, hello: tlsClientHello(sni, () => (r = (r * 1103515245 + 12345) >>> 0) >>> 16) });
  }

  /** UDP request/answer pairs from client to server's port. */
  udp(client: Host, server: Host, dport: number, o: { at?: number; count?: number; gap?: number; len?: number; answer?: boolean; sport?: number } = {}): number {
    let t = o.at ?? this.t;
    const sport = o.sport ?? this.port++;
    for (let i = 0; i < (o.count ?? 1); i++) {
      this.put(t, udpFrame(l2(client), l2(server), client.ip, server.ip, sport, dport, new Uint8Array(o.len ?? 44)));
      if (o.answer !== false) this.put(t + 20_000, udpFrame(l2(server), l2(client), server.ip, client.ip, dport, sport, new Uint8Array(o.len ?? 44)));
      t += o.gap ?? 1_000_000;
    }
    return t;
  }

  /** A broadcast search from client to port, answered by device from that port to the client's port. */
  broadcastSearch(client: Host, device: Host, port: number, at = this.t): void {
    const sport = 50000 + (this.port++ % 10000);
    this.put(at, udpFrame(client.mac, 'ff:ff:ff:ff:ff:ff', client.ip, '192.168.1.255', sport, port, new Uint8Array(4)));
    this.put(at + 30_000, udpFrame(device.mac, client.mac, device.ip, client.ip, port, sport, new Uint8Array(40)));
  }

  /** A steady one-way stream: per second `pps` datagrams of `len` bytes out, one small one back. */
  stream(dev: Host, server: Host, dport: number, o: { at?: number; seconds: number; pps: number; len: number }): number {
    let t = o.at ?? this.t;
    const sport = this.port++;
    for (let s = 0; s < o.seconds; s++) {
      for (let i = 0; i < o.pps; i++) this.put(t + i * Math.floor(1_000_000 / o.pps), udpFrame(dev.mac, ROUTER.mac, dev.ip, server.ip, sport, dport, new Uint8Array(o.len)));
      this.put(t + 500_000, udpFrame(ROUTER.mac, dev.mac, server.ip, dev.ip, dport, sport, text('ack')));
      t += 1_000_000;
    }
    return t;
  }

  /** Write the capture and analyze it (rules off): the report's devices. */
  async analyze(): Promise<Report> {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-behaviour-'));
    try {
      const file = path.join(dir, 'home.pcap');
      writeFileSync(file, pcapBytes(this.records));
      return await analyzeFiles([file], { ruleDirs: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** The Ethernet address a host's packets carry on the LAN: its own, or the router's for an Internet host. */
function l2(h: Host): string {
  return h.ip.startsWith('192.168.') ? h.mac : ROUTER.mac;
}
