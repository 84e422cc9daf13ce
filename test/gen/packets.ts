// Packet builders for generated captures: Ethernet, ARP, IPv4, TCP, UDP with correct checksums; DHCP, DNS/mDNS, HTTP, SSDP.
import dnsPacket from 'dns-packet';

export function mac(text: string): Uint8Array {
  return Uint8Array.from(text.split(':').map((h) => parseInt(h, 16)));
}

export function ip4(text: string): number {
  return text.split('.').reduce((a, b) => a * 256 + Number(b), 0) >>> 0;
}

export function ip4Text(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export const BROADCAST = 'ff:ff:ff:ff:ff:ff';
export const ETH_IPV4 = 0x0800;
export const ETH_ARP = 0x0806;

export function concat(...parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** RFC 1071 Internet checksum over data, starting from an initial sum. */
function checksum(data: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (data.length & 1) sum += data[data.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function pseudoSum(src: number, dst: number, proto: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
}

export function ethernet(src: string, dst: string, type: number, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(14);
  h.set(mac(dst), 0);
  h.set(mac(src), 6);
  h[12] = type >> 8;
  h[13] = type & 255;
  return concat(h, payload);
}

export interface Ipv4Opts {
  src: string;
  dst: string;
  proto: number;
  ttl?: number;
  id?: number;
  tos?: number;
  df?: boolean;
}

export function ipv4(o: Ipv4Opts, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(20);
  const dv = new DataView(h.buffer);
  h[0] = 0x45;
  h[1] = o.tos ?? 0;
  dv.setUint16(2, 20 + payload.length);
  dv.setUint16(4, o.id ?? 0);
  dv.setUint16(6, o.df === false ? 0 : 0x4000);
  h[8] = o.ttl ?? 64;
  h[9] = o.proto;
  dv.setUint32(12, ip4(o.src));
  dv.setUint32(16, ip4(o.dst));
  dv.setUint16(10, checksum(h));
  return concat(h, payload);
}

export const TCP = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 } as const;

export interface TcpOpts {
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags: number;
  window?: number;
  /** Raw TCP options (padded to 4 bytes by the caller). */
  options?: Uint8Array;
}

export function tcp(src: string, dst: string, o: TcpOpts, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const opt = o.options ?? new Uint8Array(0);
  const hl = 20 + opt.length;
  const h = new Uint8Array(hl);
  const dv = new DataView(h.buffer);
  dv.setUint16(0, o.sport);
  dv.setUint16(2, o.dport);
  dv.setUint32(4, o.seq >>> 0);
  dv.setUint32(8, (o.ack ?? 0) >>> 0);
  h[12] = (hl / 4) << 4;
  h[13] = o.flags;
  dv.setUint16(14, o.window ?? 64240);
  h.set(opt, 20);
  const seg = concat(h, payload);
  const sum = checksum(seg, pseudoSum(ip4(src), ip4(dst), 6, seg.length));
  seg[16] = sum >> 8;
  seg[17] = sum & 255;
  return seg;
}

export function udp(src: string, dst: string, sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(8);
  const dv = new DataView(h.buffer);
  dv.setUint16(0, sport);
  dv.setUint16(2, dport);
  dv.setUint16(4, 8 + payload.length);
  const seg = concat(h, payload);
  let sum = checksum(seg, pseudoSum(ip4(src), ip4(dst), 17, seg.length));
  if (sum === 0) sum = 0xffff; // RFC 768: a computed zero is sent as all ones
  seg[6] = sum >> 8;
  seg[7] = sum & 255;
  return seg;
}

/** A whole UDP/IPv4/Ethernet frame. */
export function udpFrame(srcMac: string, dstMac: string, src: string, dst: string, sport: number, dport: number,
  payload: Uint8Array, ttl = 64, id = 0): Uint8Array {
  return ethernet(srcMac, dstMac, ETH_IPV4, ipv4({ src, dst, proto: 17, ttl, id }, udp(src, dst, sport, dport, payload)));
}

/** A whole TCP/IPv4/Ethernet frame. */
export function tcpFrame(srcMac: string, dstMac: string, src: string, dst: string, o: TcpOpts,
  payload?: Uint8Array, ttl = 64, id = 0): Uint8Array {
  return ethernet(srcMac, dstMac, ETH_IPV4, ipv4({ src, dst, proto: 6, ttl, id }, tcp(src, dst, o, payload)));
}

/** IPv4 multicast group -> Ethernet address (RFC 1112 6.4). */
export function multicastMac(group: string): string {
  const n = ip4(group);
  return ['01', '00', '5e', ((n >>> 16) & 0x7f).toString(16), ((n >>> 8) & 255).toString(16), (n & 255).toString(16)]
    .map((x) => x.padStart(2, '0')).join(':');
}

export function arp(op: 1 | 2, senderMac: string, senderIp: string, targetMac: string, targetIp: string): Uint8Array {
  const b = new Uint8Array(28);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, 1);
  dv.setUint16(2, 0x0800);
  b[4] = 6;
  b[5] = 4;
  dv.setUint16(6, op);
  b.set(mac(senderMac), 8);
  dv.setUint32(14, ip4(senderIp));
  b.set(mac(targetMac), 18);
  dv.setUint32(24, ip4(targetIp));
  return ethernet(senderMac, op === 1 ? BROADCAST : targetMac, ETH_ARP, b);
}

// ---- DHCP (RFC 2131, options RFC 2132) ----

export const DHCP = { DISCOVER: 1, OFFER: 2, REQUEST: 3, ACK: 5 } as const;

export interface DhcpOpts {
  op: 1 | 2;
  xid: number;
  chaddr: string;
  type: number;
  yiaddr?: string;
  ciaddr?: string;
  /** Extra options in order: [code, bytes]. */
  options: [number, Uint8Array][];
}

export function dhcpPayload(o: DhcpOpts): Uint8Array {
  const b = new Uint8Array(240);
  const dv = new DataView(b.buffer);
  b[0] = o.op;
  b[1] = 1;
  b[2] = 6;
  dv.setUint32(4, o.xid);
  if (o.op === 1) dv.setUint16(10, 0x8000); // broadcast flag
  dv.setUint32(12, ip4(o.ciaddr ?? '0.0.0.0'));
  dv.setUint32(16, ip4(o.yiaddr ?? '0.0.0.0'));
  b.set(mac(o.chaddr), 28);
  dv.setUint32(236, 0x63825363); // magic cookie
  const opts: Uint8Array[] = [Uint8Array.of(53, 1, o.type)];
  for (const [code, data] of o.options) opts.push(Uint8Array.of(code, data.length), data);
  opts.push(Uint8Array.of(255));
  let msg = concat(b, ...opts);
  if (msg.length < 300) msg = concat(msg, new Uint8Array(300 - msg.length)); // BOOTP minimum size
  return msg;
}

export const opt = {
  str: (s: string): Uint8Array => text(s),
  ips: (...a: string[]): Uint8Array => concat(...a.map((x) => { const v = new Uint8Array(4); new DataView(v.buffer).setUint32(0, ip4(x)); return v; })),
  u32: (n: number): Uint8Array => { const v = new Uint8Array(4); new DataView(v.buffer).setUint32(0, n); return v; },
  u16: (n: number): Uint8Array => Uint8Array.of(n >> 8, n & 255),
  bytes: (...n: number[]): Uint8Array => Uint8Array.from(n),
};

// ---- DNS / mDNS (RFC 1035, RFC 6762/6763), encoded with dns-packet ----

export function dnsPayload(p: dnsPacket.Packet): Uint8Array {
  return new Uint8Array(dnsPacket.encode(p));
}

// ---- HTTP/1.1 (RFC 9112) and SSDP (UPnP DA 2.0) ----

export function httpRequest(method: string, uri: string, headers: Record<string, string>): Uint8Array {
  return text(`${method} ${uri} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
}

export function httpResponse(status: number, reason: string, headers: Record<string, string>, body = ''): Uint8Array {
  return text(`HTTP/1.1 ${status} ${reason}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`);
}

/** A minimal TLS 1.2/1.3 ClientHello record with an SNI extension (RFC 8446 4.1.2, RFC 6066 3). */
export function tlsClientHello(sni: string, rand: () => number): Uint8Array {
  const name = text(sni);
  const sniExt = concat(Uint8Array.of(0, 0), u16(name.length + 5), u16(name.length + 3), Uint8Array.of(0), u16(name.length), name);
  const groups = concat(Uint8Array.of(0, 10), u16(8), u16(6), u16(0x001d), u16(0x0017), u16(0x0018));
  const versions = concat(Uint8Array.of(0, 43), u16(5), Uint8Array.of(4), u16(0x0304), u16(0x0303));
  const alpn = concat(Uint8Array.of(0, 16), u16(14), u16(12), Uint8Array.of(2), text('h2'), Uint8Array.of(8), text('http/1.1'));
  const exts = concat(sniExt, groups, versions, alpn);
  const ciphers = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030];
  const random = Uint8Array.from({ length: 32 }, () => rand() & 255);
  const body = concat(u16(0x0303), random, Uint8Array.of(0), u16(ciphers.length * 2), ...ciphers.map(u16),
    Uint8Array.of(1, 0), u16(exts.length), exts);
  const hs = concat(Uint8Array.of(1, 0, body.length >> 8, body.length & 255), body);
  return concat(Uint8Array.of(0x16, 3, 1), u16(hs.length), hs);
}

function u16(n: number): Uint8Array {
  return Uint8Array.of(n >> 8, n & 255);
}
